"""The web app: personal signed links, join links and the registration desk."""
