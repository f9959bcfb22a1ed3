"""Signals the messaging app sends for writes that Django's model signals do not see."""
from django.dispatch import Signal

# Sent inside the transaction that marked messages read: reader, partner, up_to (the newest id).
messages_read = Signal()
