"""Drafting outgoing requests: the letter's content, its completeness check, DOCX and PDF."""
