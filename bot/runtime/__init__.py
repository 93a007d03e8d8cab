"""The running bot: poller, inbox workers, outbox sender, heartbeat and lifecycle."""
