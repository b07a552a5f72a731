# The robot image: ROS 2 Jazzy on Ubuntu 24.04, MoveIt 2 (Pilz planner, moveit_py), ros2_kortex
# built from source, and the arm4r_policy + arm4r_bringup workspace. Build context: the
# repository root (docker/compose.yaml builds it so):
#
#   docker build -f docker/Dockerfile.robot --build-arg TORCH_VARIANT=cpu .
#
# Layers go from the slowest-changing to the fastest: editing the packages or the tests rebuilds
# the last few layers only, never MoveIt, ros2_kortex or the Python environment.
FROM ros:jazzy-ros-base-noble

SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ARG DEBIAN_FRONTEND=noninteractive

# MoveIt 2 with the Pilz industrial motion planner (linear Cartesian motion) and its Python API,
# Cyclone DDS (which ros2_kortex recommends with MoveIt), what the nodes and the launch tests
# import, RViz, venv, and EGL for MuJoCo's offscreen rendering (the Makefile's EGL_PACKAGES).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        ros-jazzy-moveit \
        ros-jazzy-moveit-py \
        ros-jazzy-pilz-industrial-motion-planner \
        ros-jazzy-rmw-cyclonedds-cpp \
        ros-jazzy-cv-bridge \
        ros-jazzy-control-msgs \
        ros-jazzy-launch-pytest \
        ros-jazzy-rviz2 \
        python3-venv \
        libegl1 libegl-mesa0 libgl1-mesa-dri \
    && rm -rf /var/lib/apt/lists/*

# ros2_kortex (kortex_description, kortex_driver, kortex_bringup and the Gen3 + Robotiq 2F-85
# MoveIt config) has no Jazzy binaries: it is built from a pinned commit of its main branch with
# vcs, rosdep and colcon as its README shows. Of its .repos files only the unreleased
# dependencies are cloned (as its own Dockerfile does): ros2_kortex.jazzy.repos would clone the
# master branches of ros2_control and friends, which rosdep installs as Jazzy binaries instead.
# To bump, take the hash that `git ls-remote https://github.com/Kinovarobotics/ros2_kortex main`
# prints and put it here (or pass --build-arg ROS2_KORTEX_COMMIT=<full hash>).
ARG ROS2_KORTEX_COMMIT=013ed6ff5b59deebe7fda8e69f182288455aabe3
WORKDIR /opt/kortex_ws
RUN git init --quiet src/ros2_kortex \
    && git -C src/ros2_kortex fetch --quiet --depth 1 \
        https://github.com/Kinovarobotics/ros2_kortex.git "${ROS2_KORTEX_COMMIT}" \
    && git -C src/ros2_kortex checkout --quiet FETCH_HEAD \
    && vcs import src --skip-existing \
        --input src/ros2_kortex/ros2_kortex-not-released.jazzy.repos \
    && apt-get update \
    && rosdep update --rosdistro jazzy \
    && rosdep install --ignore-src --from-paths src -y -r \
    && rm -rf /var/lib/apt/lists/* \
    && source /opt/ros/jazzy/setup.bash \
    && colcon build --cmake-args -DCMAKE_BUILD_TYPE=Release --packages-up-to \
        kortex_description kortex_bringup kinova_gen3_7dof_robotiq_2f_85_moveit_config \
    && rm -rf build log src

# The Python environment of requirements.txt (torch, MuJoCo, franky-control, ...) in a venv over
# the system site-packages: it sees ROS's Python packages and shadows Ubuntu's where our pins
# differ (pip cannot upgrade those in place). torch is a build choice: TORCH_VARIANT=cpu or
# cu128. Colcon run by the venv's Python writes node executables that start the venv's Python;
# tests/ros run the colcon beside it. setuptools is held at 79: from 80 on, `setup.py develop`
# lacks the options colcon's symlink install passes.
ENV VIRTUAL_ENV=/opt/venv
ENV PATH=${VIRTUAL_ENV}/bin:${PATH}
ARG TORCH_VARIANT=cpu
WORKDIR /opt/arm4r
COPY requirements.txt constraints.txt docker/install_python_requirements.sh ./
RUN python3 -m venv --system-site-packages "${VIRTUAL_ENV}" \
    && ./install_python_requirements.sh "${TORCH_VARIANT}" \
    && pip install --no-cache-dir setuptools==79.0.1 \
    && printf '#!/bin/sh\nexec %s/bin/python -m colcon "$@"\n' "${VIRTUAL_ENV}" \
        > "${VIRTUAL_ENV}/bin/colcon" \
    && chmod 755 "${VIRTUAL_ENV}/bin/colcon"

# The stock user `ubuntu` (uid 1000, the first user of most hosts, who thus owns what the
# services write to mounted directories) owns the sources and the workspaces.
RUN mkdir -p /opt/arm4r/ros2_ws/src /opt/arm4r_ws/src \
    && chown -R ubuntu:ubuntu /opt/arm4r /opt/arm4r_ws
USER ubuntu
COPY --chown=ubuntu:ubuntu arm4r_policy arm4r_policy
COPY --chown=ubuntu:ubuntu arm4r_bringup arm4r_bringup

# /opt/arm4r_ws is the image's workspace, a symlink install (sources mounted over
# /opt/arm4r/arm4r_* are live); ros2_ws is the repository's, which tests/ros build themselves.
WORKDIR /opt/arm4r_ws
RUN ln -s /opt/arm4r/arm4r_policy /opt/arm4r/arm4r_bringup src/ \
    && ln -s ../../arm4r_policy ../../arm4r_bringup /opt/arm4r/ros2_ws/src/ \
    && source /opt/kortex_ws/install/setup.bash \
    && python -m colcon build --symlink-install

WORKDIR /opt/arm4r
COPY --chown=ubuntu:ubuntu pyproject.toml ./
COPY --chown=ubuntu:ubuntu tests tests

# MuJoCo renders offscreen; Fast DDS takes the shipped profile (large camera frames), as the
# launch files set it.
ENV MUJOCO_GL=egl \
    FASTDDS_DEFAULT_PROFILES_FILE=/opt/arm4r_ws/install/arm4r_bringup/share/arm4r_bringup/config/fastdds.xml
COPY docker/entrypoint.sh /usr/local/bin/arm4r-entrypoint
ENTRYPOINT ["/usr/local/bin/arm4r-entrypoint"]
CMD ["bash"]
