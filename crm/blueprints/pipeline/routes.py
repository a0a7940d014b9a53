"""The board (/pipeline) and moving a party between stages."""
