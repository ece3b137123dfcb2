"""The command groups and commands of ``egovnet``, loaded when they are used.

``egovnet review --help`` imports egovnet.commands.review and nothing else from this package; ``egovnet --help``
lists every entry from this table without importing any (click's documented way for large CLIs, "lazily loading
subcommands"). Each entry: the name typed, the module, the attribute there (a Typer app, or a function for a
command of its own), and the first paragraph of its help as the root help lists it (tests/test_layers.py checks
it equals the loaded command's, and that the root help is the same loaded lazily or not).
"""

COMMANDS: dict[str, tuple[str, str, str]] = {
    "provision": ("egovnet.commands.provision", "provision",
                  "Provision approved applications: journal, backup, push, verify, save; roll back on failure "
                  "(Art. 12-14)."),
    "init": ("egovnet.commands.init", "init",
             "Create the database, or upgrade it to this egovnet's schema (backing up a SQLite file first)."),
    "apply": ("egovnet.commands.apply", "apply",
              "File an application for a unit through its supervising department (role dept or bdc)."),
    "demo": ("egovnet.commands.demo", "demo",
             "Run unit -> apply -> review -> provision (built-in device lab, real SSH) on a throw-away home."),
    "decommission": ("egovnet.commands.decommission", "decommission",
                     "Remove a link's configuration from its device, return its port, VLAN and subnet to the pools, "
                     "end its fee\nperiod and write the notices to its units and their departments. Other links "
                     "stay untouched."),
    "policy": ("egovnet.commands.policy", "app", "Validate and show the policy file (the regulation as data)."),
    "calendar": ("egovnet.commands.calendar", "app",
                 "Official Chinese working days (工作日, with 调休 make-up workdays)."),
    "dept": ("egovnet.commands.dept", "app",
             "Supervising departments (业务主管部门) that file applications (Art. 10)."),
    "unit": ("egovnet.commands.unit", "app",
             "Access units (接入单位): who may connect (Art. 9) and their MLPS record (Art. 13)."),
    "review": ("egovnet.commands.review", "app",
               "Review applications: approve, reject, extend construction (Art. 12-13)."),
    "log": ("egovnet.commands.log", "app",
            "The append-only event log: who changed what, when, under which article."),
    "device": ("egovnet.commands.device", "app", "Edge devices in the inventory."),
    "inventory": ("egovnet.commands.device", "inventory_app", "The inventory folder: devices, pools, known_hosts."),
    "lab": ("egovnet.commands.lab", "app", "The built-in device lab: try templates before touching real devices."),
    "usage": ("egovnet.commands.usage", "app",
              "Link usage: counters from the devices or daily traffic from monitoring (Art. 15-16)."),
    "audit": ("egovnet.commands.audit", "app",
              "Audits: idle links (Art. 15), clocks (Art. 12, 18), security checks (Art. 13, 21), link health "
              "(Art. 16, 20), drift (Art. 22)."),
    "remediate": ("egovnet.commands.remediate", "remediate",
                  "Bring a device back to its intended state: journal, backup, push, verify, save; roll back on "
                  "failure (Art. 22)."),
    "maintenance": ("egovnet.commands.maintenance", "app",
                    "Maintenance filings: device debugging or upgrades, 3 working days ahead (Art. 18)."),
    "change": ("egovnet.commands.change", "app",
               "Change requests: bandwidth or releasing a unit from a shared link (Art. 18)."),
    "link": ("egovnet.commands.link", "app", "Links: units, device, port, VLAN, subnet, fee period (Art. 14, 25)."),
    "push": ("egovnet.commands.push", "app",
             "The push journal: list, show, resume or abandon device changes (Art. 7)."),
    "security": ("egovnet.commands.security", "app",
                 "Security: the Office's disconnect and reconnect (Art. 23), criticism notices (Art. 26), incidents and "
                 "security events, checks and assessments (Art. 13, 21)."),
    "notice": ("egovnet.commands.notice", "app",
               "Written notices: official documents with a number (文号), reissue, delivery (Art. 12, 15, 18)."),
    "monitor": ("egovnet.commands.monitor", "app",
                "The monitoring system's samples: up/down, loss, latency, utilisation per link (Art. 16, 20)."),
    "ticket": ("egovnet.commands.ticket", "app",
               "Fault tickets: response and restoration clocks per severity (Art. 17)."),
    "report": ("egovnet.commands.report", "app",
               "Reports from recorded data: fees by payer (Art. 25), the annual evaluation (Art. 24)."),
}
