"""edgar"""
