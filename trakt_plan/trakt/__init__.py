"""Everything that knows Trakt's wire format: payload models, the HTTP client, OAuth."""
