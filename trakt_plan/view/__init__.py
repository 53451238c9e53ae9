"""Renderings of a plan for review: text, JSON, Markdown and HTML, with the HTML timeline."""
