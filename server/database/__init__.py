"""Database plumbing: engine set-up and inserts (`engine`), what a database error means
(`errors`), and running a request again after a lost connection (`replay`)."""
