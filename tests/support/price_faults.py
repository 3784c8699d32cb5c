"""Synthetic fault injection for price files: real AAPL rows of ../shared/prices edited in a temporary copy.

Faults: a negative open (2023-12-01), high below low (2023-12-04), a close above the high (2023-12-05), a
repeated date whose second bar differs (2023-12-06), and the 15 sessions 2023-11-01..2023-11-21 removed.
"""

from __future__ import annotations

from pathlib import Path

from lake.settings import Settings


def faulty_copy(folder: Path) -> Path:
    """AAPL.csv with injected faults, written to ``folder``; returns the folder."""
    lines = (Path(Settings.from_env().prices_dir) / "AAPL.csv").read_text().splitlines()
    index = {line.split(",", 1)[0]: i for i, line in enumerate(lines)}

    def edit(day: str, column: int, value: str) -> None:
        cells = lines[index[day]].split(",")
        cells[column] = value
        lines[index[day]] = ",".join(cells)

    edit("2023-12-01", 1, "-190.330002")  # negative open
    edit("2023-12-04", 2, "180.0")  # high 180 < low 187.449997 (also below open/close)
    edit("2023-12-05", 4, "199.0")  # close above the high 194.399994
    duplicate = lines[index["2023-12-06"]].replace("194.449997", "194.5", 1)
    lines.insert(index["2023-12-06"] + 1, duplicate)  # 2023-12-06 twice, the second differs
    kept = [line for line in lines if not ("2023-11-01" <= line[:10] <= "2023-11-21")]  # 15 sessions gone
    (folder / "AAPL.csv").write_text("\n".join(kept) + "\n")
    return folder
