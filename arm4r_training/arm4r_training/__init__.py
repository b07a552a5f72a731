"""ARM4R training: datasets, the point-track pipeline, the three training stages and evaluation."""
