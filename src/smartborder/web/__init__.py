"""The HTML UI's shared parts: layout, navigation, rendering, sign-in pages, static files."""
