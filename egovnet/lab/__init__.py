"""The device lab: emulated Huawei VRP, VRPv8, H3C Comware and Cisco IOS over real SSH on 127.0.0.1."""
