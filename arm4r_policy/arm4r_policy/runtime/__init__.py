"""What runs beside the network: pose maths, chunk blending, safety, the streaming policy and
the point-track predictor.

No ROS here; the nodes wrap these. Import the modules themselves (``runtime.policy``,
``runtime.pose``, ...): pose maths and safety stay free of torch.
"""
