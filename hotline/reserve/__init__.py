"""Reserve bookings, suspensions and exceptions, gate checks, fire watch."""
