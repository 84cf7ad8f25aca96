"""Thin Flask views, one blueprint per audience, translating between people and services."""
