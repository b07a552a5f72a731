"""Stage 1 data: EPIC-KITCHENS-100 narrations -> 3D point-track clips the Stage 1 reader reads.

Modules, one idea each:

- ``epic_annotations``: the official annotation CSVs (narrations, video info), checked row by
  row; the "verb noun" instruction of a narration.
- ``clips``: a narration's frames from the extracted frame folders or the MP4, at 10 fps, with
  the long and short segments dropped, resized to the stored square.
- ``trackers``: pluggable point trackers (SpatialTracker; CoTracker or Lucas-Kanade with Depth
  Anything depth), frames + query grid -> ``(u, v, depth)`` tracks and visibility.
- ``lifting``: 2D tracks + depth maps -> ``(u, v, depth)`` and camera-frame xyz, with depth edges,
  occlusion and missing depth handled.
- ``point_clip``: one clip on disk (frames, ``points_uvd.zarr``, ``points.zarr``, instruction,
  ``meta.json``), written atomically.
- ``ingest``: the ``arm4r-ingest-epic`` command, resumable, with a summary.

The input videos are only ever read.
"""
