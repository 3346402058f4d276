"""The simulated company: people, marketing, sales and web visits, as numpy columns in
simulated time. Nothing here knows a vendor's file format (that is ``writers/``)."""

from .world import World, simulate

__all__ = ["World", "simulate"]
