"""deputybot's own HTTP server: the 12345 connector, Open311, the Telegram webhook (ASGI glue)."""
