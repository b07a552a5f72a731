from setuptools import find_packages, setup

PACKAGE = "arm4r_policy"

setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(include=[PACKAGE, f"{PACKAGE}.*"]),
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
    ],
    python_requires=">=3.10",
    install_requires=[
        "numpy>=1.24",
        "safetensors>=0.4",
        "torch==2.13.0",
        "transformers>=4.40",
    ],
    zip_safe=True,
    maintainer="ARM4R stack maintainers",
    maintainer_email="maintainers@arm4r.dev",
    description="ARM4R policy, runtime, simulation and ROS 2 nodes.",
    license="MIT",
    entry_points={
        "console_scripts": [
            "arm4r = arm4r_policy.cli:main",
            "policy_node = arm4r_policy.nodes.policy_node:main",
            "track_viz_node = arm4r_policy.nodes.track_viz_node:main",
            "sim_node = arm4r_policy.nodes.sim_node:main",
            "moveit_bridge_node = arm4r_policy.nodes.moveit_bridge_node:main",
            "camera_node = arm4r_policy.nodes.camera_node:main",
            "robot_state_node = arm4r_policy.nodes.robot_state_node:main",
            "collect_node = arm4r_policy.nodes.collect_node:main",
        ],
    },
)
