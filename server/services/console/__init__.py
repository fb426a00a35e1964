"""The committee's desk (电脑端): signing a browser in by scanning its QR code with the
mini-program, and the browser sessions that follows. The desk's pages call the same
services as the API with the same `Principal`: it is a client, not a second rulebook."""
