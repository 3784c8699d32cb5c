{# When a statement row became public, for ordering: its acceptance (UTC), else the end of its filing date. #}
{% macro filing_time(alias) -%}
    coalesce({{ alias }}.accepted_at, cast({{ alias }}.filing_date as timestamptz) + interval 1 day - interval 1 microsecond)
{%- endmacro %}

{#
  The first trading day whose close (16:00 New York) is at or after a filing's acceptance: the acceptance in
  New York time minus 16 hours, rounded up to a date. Without an acceptance time, the day after the filing date
  (the filing may have been accepted after that day's close).
#}
{% macro first_close_date(accepted_at, filing_date) -%}
    case
        when {{ accepted_at }} is not null then
            cast(timezone('America/New_York', {{ accepted_at }}) - interval 16 hour as date)
            + case when cast(timezone('America/New_York', {{ accepted_at }}) - interval 16 hour as time) = time '00:00:00' then 0 else 1 end
        else {{ filing_date }} + 1
    end
{%- endmacro %}
