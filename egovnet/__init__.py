"""egovnet: administration toolkit for a district e-government extranet (政务外网).

Turns 《青浦区电子政务外网管理办法》 (青府办发〔2023〕62号) into a working tool.
"""

__version__ = "0.1.0"
