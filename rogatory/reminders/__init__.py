"""Reminders: one daily digest per person of the deadlines that fall due."""
