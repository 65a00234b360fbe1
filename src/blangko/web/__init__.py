"""The web application: server-rendered pages, the JSON API, log-in and roles."""
