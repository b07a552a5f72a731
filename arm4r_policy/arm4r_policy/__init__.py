"""ARM4R: an auto-regressive robot policy pre-trained on 4D point tracks, and what runs it."""
