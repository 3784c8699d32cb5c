"""Brokers: the ``Broker`` protocol, the sim (paper) broker over lake prices, and IBKR through ib_async."""
