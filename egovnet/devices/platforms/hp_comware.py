"""H3C / HPE Comware 7."""

from __future__ import annotations

from egovnet.devices.platforms.base import ConfigTreePlatform


class HpComware(ConfigTreePlatform):
    name = "hp_comware"
    label = "H3C Comware"
    netmiko_type = "hp_comware"
    templates = ("hp_comware",)
    show_config = "display current-configuration"
    saved_config_command = "display saved-configuration"  # Comware 7: the main next-startup file
    error_pattern = r"(?m)^\s*% (Unrecognized command|Incomplete command|Wrong parameter|Too many parameters).*$"
    negate, up = "undo", "quit"
    max_line, max_description = 510, 255
    counters_template = "display interface {port}"
    bytes_in_re = r"Input:\s+\d+ packets, (\d+) bytes"
    bytes_out_re = r"Output:\s+\d+ packets, (\d+) bytes"

    def netmiko_params(self, device) -> dict:
        # real Comware can wrap long lines in its echo; cmd_verify is configurable per device
        return {"global_cmd_verify": device.cmd_verify}
