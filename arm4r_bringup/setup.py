from glob import glob

from setuptools import find_packages, setup

PACKAGE = "arm4r_bringup"
SHARED = ("config", "launch", "rviz")  # installed to share/arm4r_bringup/<folder>

setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(include=[PACKAGE, f"{PACKAGE}.*"]),
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
        *((f"share/{PACKAGE}/{folder}", glob(f"{folder}/*")) for folder in SHARED),
    ],
    python_requires=">=3.10",
    zip_safe=True,
    maintainer="ARM4R stack maintainers",
    maintainer_email="maintainers@arm4r.dev",
    description="Bringup for the ARM4R stack: launch files, cell configuration, RViz.",
    license="MIT",
)
