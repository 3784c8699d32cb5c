"""Strategies, backtests, risk limits, the order book and the rebalance job; reads the lake only."""
