"""The 12345 connector: work orders to the hotline platform, its reports back (no Telegram here)."""
