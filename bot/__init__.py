"""deputybot: deputies' concerns to the 12345 hotline departments, and the answers back."""

import os

# Opt in to python-telegram-bot's timedelta durations (retry_after and friends) now.
os.environ.setdefault("PTB_TIMEDELTA", "true")
