"""Written notices (书面通知) as official documents (公文) after GB/T 9704-2012 《党政机关公文格式》.

context -> render -> file: ``context`` turns plain facts into what a template may say (dates as the 2012
standard writes them, articles as 第十二条, human names, never internal codes); ``render`` runs the kind's
operator-editable Jinja2 template in a sandbox and splits it into title, 主送, body, 附件 and 抄送;
``gbt9704`` lays the result out on A4 (margins, 22 x 28 grid, red masthead, 文号, 版记, page numbers) and
saves the .docx. Numbering (the register) and recording are the services' job: they own the transaction.
"""
