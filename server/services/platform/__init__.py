"""The service itself: health, housekeeping jobs, what the client needs before sign-in, and the
demo compound."""
