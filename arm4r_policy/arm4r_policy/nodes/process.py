"""The life of a node process: init, spin on one thread, stop cleanly, report an exit status.

Works the same on Jazzy and Kilted. SIGINT and SIGTERM shut the context down (rclpy's handlers),
which ends the spin with ``ExternalShutdownException``. Callbacks run one at a time on a
``SingleThreadedExecutor``; the multi-threaded one dropped messages under load.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import rclpy
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.node import Node

from arm4r_policy.errors import ConfigError

EXIT_CONFIG_ERROR = 1


def run_node(make_node: Callable[[], Node], name: str, args: Sequence[str] | None = None) -> int:
    """Spin the node ``make_node()`` until shutdown; 0 on a clean stop, 1 on a ConfigError.

    ``name`` is the logger name for errors raised before the node exists.
    """
    rclpy.init(args=args)
    node = None
    try:
        node = make_node()
        executor = SingleThreadedExecutor()
        executor.add_node(node)
        executor.spin()
    except ConfigError as error:
        rclpy.logging.get_logger(name).fatal(str(error))
        return EXIT_CONFIG_ERROR
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    except Exception:
        if rclpy.ok():
            raise
        # A signal shut the context down while a callback was still publishing.
    finally:
        if node is not None:
            node.destroy_node()
        rclpy.try_shutdown()
    return 0
