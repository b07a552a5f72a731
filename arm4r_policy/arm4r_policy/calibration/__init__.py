"""Camera calibration from folders of board images: intrinsics, then the camera's pose on the robot.

No ROS here; ``arm4r calibrate`` (``command``) runs it. Import the modules themselves:

- ``boards``: the chessboard and ChArUco boards, their corners in 3D and their detection;
- ``views``: the board found in every image of a folder;
- ``intrinsics``: K and distortion by ``cv2.calibrateCamera``, refused above a reprojection error,
  written as the ``camera_calibration`` YAML of ``drivers.calibration``;
- ``ee_poses``: the poses file, the end-effector pose at every image;
- ``hand_eye``: the chain ``B_i = X A_i Y`` solved in closed form and refined on the corners;
- ``extrinsics``: a fixed camera's camera-to-base pose, or a wrist camera's camera-to-end-effector
  pose, refused above position and rotation residuals;
- ``extrinsics_file``: the YAML of camera name -> camera-to-base pose the stack reads.

Workflow: print a board (``CharucoBoard.image`` draws one) and glue it flat; take 15-25 images of
it with the camera, tilted up to 40 deg, near every part of the image, and run ``arm4r calibrate
intrinsics``. Then fix the board to the gripper (fixed camera) or to the table (wrist camera),
move the arm to 10-20 poses that turn the board about different axes, and at each one save an image
and the end-effector pose the robot reports (``ee_poses`` has the format); ``arm4r calibrate
extrinsics`` finishes.
"""
