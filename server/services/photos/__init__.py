"""Photos residents upload: checked, re-encoded and kept private (`uploads`, `image_data`)."""
