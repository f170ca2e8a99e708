"""Timely execution: deadline rules, the due dates they give each request, and priorities."""
