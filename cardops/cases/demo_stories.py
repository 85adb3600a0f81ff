"""The demo library's cases, as the outlets' trainers wrote them: plain Chinese, no names, no numbers of anybody.

``LAST_YEAR`` were written, accepted, nominated, scored and selected in last year's round; ``THIS_YEAR`` are this
year's, in every state. ``occurred`` is (month, day) in the case's year; ``scores`` are the two supervisors'
(``supervisor``, ``supervisor2``) scores — (typicality, educational value, impact) — or None where one has not
scored (or stands aside: ``supervisor2`` wrote the district's case). ``returned``: (the supervisor's reason, the
sentence the author added before submitting again).
"""

from __future__ import annotations

LAST_YEAR = [
    {"key": "deceased", "author": "pt03-trainer", "category": "fraud_prevented", "occurred": (3, 14),
     "title": "识破冒用已故老人身份代办补卡",
     "narrative": "上午九点多，一名中年男子持一位八十多岁老人的身份证原件和授权委托书，"
                  "为老人代办挂失补卡，称老人卧床在家。"
                  "受理员在人证比对时发现，委托书上的签名笔迹与身份证背面的签发时间对不上，委托书日期也是前一天才写的。\n"
                  "受理员按规定进行电话回访，接电话的是老人的女儿，她说老人已于两个月前去世，家里正在办理后事，"
                  "从未委托他人补卡。经督导核实，该男子是老人的远房亲戚，想补卡后继续领取老人的养老金。\n"
                  "受理员当即停止受理，将该身份证号码报区卡中心列入预警名单，并协助家属到派出所办理相关手续。",
     "lessons": "代办补卡必须同时核验代办人身份证、申请人身份证原件和签字的授权委托书；材料齐全不等于真实，"
                "对年迈老人的代办申请坚持电话回访。发现冒补苗头要及时报告，把号码报进预警名单，防止换个网点再来。",
     "scores": ((5, 5, 5), (5, 5, 4))},
    {"key": "shared_phone", "author": "pt05-trainer", "category": "fraud_prevented", "occurred": (4, 22),
     "title": "同一手机号出现在多位老人的补卡申请上",
     "narrative": "受理员在为一位老人录入补卡申请时，系统提示该手机号码近期已出现在另外两位老人的申请中。"
                  "受理员询问陪同前来的年轻人，对方称是“社区志愿者”，帮附近几位老人跑腿。\n"
                  "受理员没有直接拒绝，而是请老人本人说出自己的家庭住址和子女情况，老人回答含糊，"
                  "并说“小伙子说补了卡能领一笔钱”。受理员暂停办理，请督导复核，同时联系了老人所在居委会。"
                  "居委会确认该年轻人并非社区志愿者，此前已有居民反映其以帮办为名收取老人证件。",
     "lessons": "系统的风险提示要看、要问、要核实，不能只当作弹窗点掉。老人说不清来意时，先停一停，"
                "联系居委会或家属往往比当场争执更有效。",
     "scores": ((5, 4, 4), (4, 5, 4))},
    {"key": "home_visit", "author": "pt01-trainer", "category": "service", "occurred": (5, 9),
     "title": "为卧床老人预约上门办理换卡",
     "narrative": "一位九十岁的独居老人社保卡芯片损坏，看病时无法结算。老人的邻居到窗口咨询能否代办，"
                  "但老人子女在外地，无法出具授权委托书。\n"
                  "网点与居委会商量后，由两名受理员带着移动设备预约上门，当面核验老人身份证原件、人证比对，"
                  "回收旧卡并现场拍照留存，全程由居委会干部在场见证。一周后新卡到达，受理员再次上门发卡并当面激活。",
     "lessons": "便民不等于降低标准：上门服务同样要人证比对、回收旧卡、双人办理并留存记录。"
                "与居委会的合作让服务有人见证、过程可追溯。",
     "scores": ((4, 4, 3), (4, 4, 4))},
    {"key": "wrong_card", "author": "pt07-trainer", "category": "error", "occurred": (6, 3),
     "title": "新卡装错卡袋，发卡前核对发现",
     "narrative": "批量到卡当天，两位同姓老人的新卡被放进了彼此的卡袋。第二天其中一位老人来取卡，"
                  "受理员按流程核对卡面姓名和照片时，发现卡面照片与到柜老人明显不符，当即停止发卡。\n"
                  "经查，是到卡登记时两人的卡袋顺序放反。网点重新核对了当天全部到卡，未发现其他差错，"
                  "并电话通知另一位老人取卡时带好回执。",
     "lessons": "发卡前核对卡面姓名、照片与领取人，一步都不能省；到卡登记后按申请编号逐张复核卡袋，"
                "同姓、同名的申请要单独标注。",
     "scores": ((4, 4, 3), (3, 4, 3))},
    {"key": "complaint", "author": "pt02-trainer", "category": "complaint", "occurred": (6, 18),
     "title": "代办材料不全引发投诉的化解",
     "narrative": "一位中年女士为母亲代办换卡，因未带母亲的身份证原件被告知不能受理，情绪激动，"
                  "称已经跑了两趟，要投诉窗口“故意刁难”。\n"
                  "值班组长把她请到一旁，耐心说明代办需要原件的原因：曾有人拿复印件冒名补卡，领走了老人的养老金。"
                  "随后帮她列出材料清单，并告诉她可以提前电话预约，带齐材料后不用再排队。"
                  "第三次来时十分钟办结，这位女士主动撤回了投诉。",
     "lessons": "拒绝受理时要讲清“为什么”，而不只是“不行”；一次性告知所需材料，"
                "能从源头减少群众多跑腿和由此产生的投诉。",
     # Returned once: the first version lacked the outcome, which the author then added.
     "returned": ("请补充投诉最后是怎样了结的。", "第三次来时十分钟办结，这位女士主动撤回了投诉。"),
     "scores": ((3, 4, 3), (4, 3, 3))},
    {"key": "face_match", "author": "pt09-trainer", "category": "fraud_prevented", "occurred": (7, 2),
     "title": "人证比对不通过，阻止冒名补卡",
     "narrative": "一名年轻男子持身份证办理挂失补卡，人证比对设备评分明显偏低。受理员请其摘下帽子重新比对，"
                  "评分仍然不通过，对方解释“证件照是十年前拍的”。\n"
                  "受理员请他说出身份证上的出生日期和住址，男子回答迟疑，随后称有急事离开。"
                  "受理员按规定记录比对不通过，并报督导。后经核实，该身份证此前已被本人挂失，证件是捡来的。",
     "lessons": "人证比对不通过要如实记录，不能因为对方解释合理就放行；"
                "比对存疑时多问几个证件上没有写、只有本人知道的问题。",
     "scores": ((4, 5, 4), (4, 4, 4))},
    {"key": "hearing", "author": "pt04-trainer", "category": "service", "occurred": (7, 20),
     "title": "用手写板为听障居民办理挂失补卡",
     "narrative": "一位听障居民到窗口补卡，陪同的朋友也不会手语。受理员拿出手写板，逐项写下需要确认的问题，"
                  "居民写下回答，挂失、核验、签字都通过书面方式完成，手写记录随申请一起存档。\n"
                  "事后网点把常用问答整理成图文卡片，放在每个窗口备用。",
     "lessons": "特殊群体的沟通方式要提前准备；书面确认既是服务，也是留痕。",
     "scores": ((3, 3, 3), (3, 4, 4))},
    {"key": "rental", "author": "pt06-trainer", "category": "other", "occurred": (8, 11),
     "title": "社保卡被出租引出的补卡纠纷",
     "narrative": "一位居民来补卡，称卡丢了。受理员查询发现，这张卡近三个月在多家药店频繁刷卡购药，"
                  "与居民所说“很少看病”不符。经询问，居民承认曾把卡借给他人使用，对方每月给一点“好处费”，"
                  "现在联系不上对方，怕出事才来挂失。\n"
                  "受理员为其办理了挂失补卡，同时告知出租、出借社保卡属于违法行为，并按规定向区卡中心报告，"
                  "由医保部门进一步核查。",
     "lessons": "补卡原因要问清楚，“丢失”背后可能是出租、出借；发现异常使用要报告，"
                "同时借机向群众讲清出租社保卡的法律后果。",
     "scores": ((4, 4, 4), (4, 4, 5))},
    {"key": "loss_report", "author": "pt08-trainer", "category": "error", "occurred": (8, 27),
     "title": "挂失未确认即受理补卡的流程差错",
     "narrative": "一位居民电话临时挂失后到窗口补卡，受理员看到系统显示“已挂失”，便直接受理了补卡申请。"
                  "督导抽查时发现，该卡只是电话临时挂失，几天后会自动解除，并未办理正式挂失。\n"
                  "网点立即联系居民补办正式挂失，所幸旧卡在此期间没有被使用。网点随后组织全员学习挂失流程。",
     "lessons": "临时挂失和正式挂失不是一回事，补卡前必须确认旧卡已正式挂失；"
                "系统状态要看清楚细节，不能只看一个“已挂失”字样。",
     "scores": ((3, 4, 4), (4, 4, 3))},
    {"key": "serial_agent", "author": "pt10-trainer", "category": "fraud_prevented", "occurred": (9, 5),
     "title": "“热心人”一个月为多位老人代办补卡",
     "narrative": "系统提示：本次代办人在近一个月内已为另外两位老人代办过补卡。受理员注意到，"
                  "三份授权委托书的字迹几乎一样，三位老人的联系电话也都留的是代办人自己的号码。\n"
                  "申请被转督导复核。督导逐一电话联系老人家属，其中一位老人的儿子表示从未委托他人办理。"
                  "区卡中心将情况通报各网点，并提请公安部门协查。",
     "lessons": "同一代办人短期内多次代办，是冒补的典型信号；授权委托书要看内容、看字迹，"
                "联系电话要核对是否为申请人本人或家属。",
     "scores": ((5, 5, 4), (5, 4, 5))},
    {"key": "outage", "author": "pt02-trainer", "category": "service", "occurred": (9, 23),
     "title": "系统故障时的有序应急受理",
     "narrative": "周一上午业务系统故障近一小时，窗口前排起了长队。网点启用应急预案：先为群众登记姓名和所办业务，"
                  "发放纸质预约单，能改日办理的约好时间，急需就医结算的优先安排。系统恢复后按登记顺序受理，"
                  "纸质登记与系统记录逐一核对后销毁。",
     "lessons": "应急时也不能跳过核验环节；纸质登记同样涉及个人信息，用后要按规定核对和销毁。",
     "scores": ((3, 3, 2), (3, 3, 3))},
    {"key": "template", "author": "supervisor2", "outlet": "PT05", "category": "other", "occurred": (10, 16),
     "title": "督导巡查发现授权委托书模板过期",
     "narrative": "区卡中心督导在例行巡查中发现，一个网点窗口摆放的授权委托书仍是旧模板，"
                  "缺少“受托人与委托人关系”和“委托事项仅限本次补换卡”两项内容。\n"
                  "督导当场收回旧模板，并在当周对全区各网点的表单进行了一次清点，统一更换为新模板。",
     "lessons": "表单模板看似小事，缺一项内容就可能给冒补留下空子；各网点应定期清点窗口资料。",
     "scores": ((4, 3, 3), None)},
]

THIS_YEAR = [
    {"key": "watchlist_hit", "author": "pt01-trainer", "category": "fraud_prevented", "occurred": (1, 9),
     "title": "预警名单拦下已故人员补卡申请",
     "narrative": "受理员录入一笔代办补卡申请后，系统提示申请人在预警名单上（民政数据比对已故），申请自动列为高风险。"
                  "代办人称老人“只是住院了”。受理员按规定转督导复核，督导联系老人户籍所在居委会，确认老人已于去年去世。\n"
                  "督导驳回申请并记录原因，代办人未再出现。",
     "lessons": "预警名单要及时维护；高风险申请必须交督导复核，窗口不要自行判断放行。",
     "flow": "nominated", "scores": ((5, 5, 5), (5, 4, 5))},
    {"key": "elderly_guidance", "author": "pt03-trainer", "category": "service", "occurred": (2, 6),
     "title": "春节前为老人集中办理到期换卡",
     "narrative": "春节前，辖区内一批老人的社保卡陆续到期。网点提前一个月与各居委会对接名单，"
                  "分批预约老人到窗口换卡，为行动不便的老人安排家属陪同并开设绿色通道，"
                  "节前全部完成换卡，没有一位老人因卡片到期影响看病结算。",
     "lessons": "到期换卡可以提前规划、主动服务；与居委会共享预约名单，能大大减少窗口排队。",
     "flow": "nominated", "scores": ((4, 4, 4), None)},
    {"key": "forged_authorization", "author": "pt04-trainer", "category": "fraud_prevented", "occurred": (3, 12),
     "title": "授权委托书签名与身份证签名明显不符",
     "narrative": "代办人递交的授权委托书上，委托人签名工整有力，而委托人身份证上的老人已经九十多岁。"
                  "受理员请代办人现场与老人视频通话，代办人称老人“不会用手机”，又说可以让老人改天自己来。\n"
                  "受理员暂缓受理，记录情况并报告督导。三天后，老人在女儿陪同下亲自来办理，"
                  "表示从未委托过他人，之前的“代办人”是上门推销保健品的人。",
     "lessons": "授权委托书的签名要和老人的实际情况对照着看；能视频确认的就视频确认，不能确认的宁可暂缓。",
     "flow": "nominated", "scores": ((5, 4, 4), (4, 4, 4))},
    {"key": "queue_number", "author": "pt06-trainer", "category": "complaint", "occurred": (4, 2),
     "title": "取号规则引发的误会与改进",
     "narrative": "一位居民投诉排队一个多小时还没轮到，而后来的人却先办了。经了解，后来的是预约号，"
                  "现场没有任何说明。网点当天在等候区张贴了叫号规则，并在取号机旁增加了预约、现场两类号的说明，"
                  "此后同类投诉再未发生。",
     "lessons": "群众的不满往往来自不知道规则；把规则写清楚、贴出来，比事后解释更有效。",
     "flow": "nominated", "scores": ((3, 3, 4), (3, 4, 3))},
    {"key": "wrong_kind", "author": "pt07-trainer", "category": "error", "occurred": (4, 25),
     "title": "业务类型选错导致新卡延误",
     "narrative": "一位居民因姓名变更需要换卡，受理员误选为“损坏换卡”，新卡制作出来后姓名仍是旧名，"
                  "居民只能再跑一趟重新申请，新卡因此晚了两周。网点向居民道歉，并对业务类型的选择做了专项培训。",
     "lessons": "业务类型决定了制卡内容，受理时要和申请人当面确认办理原因；信息变更换卡要核对变更证明。",
     "flow": "nominated", "scores": (None, None)},
    {"key": "proxy_sibling", "author": "pt08-trainer", "category": "fraud_prevented", "occurred": (5, 19),
     "title": "兄弟代办补卡，电话回访发现另有隐情",
     "narrative": "一名男子为弟弟代办挂失补卡，材料齐全。因申请被评为高风险，受理员按要求电话回访登记手机，"
                  "接电话的正是弟弟本人，他说卡并没有丢，最近和哥哥因为家里老人的养老金有矛盾。\n"
                  "受理员停止受理，向哥哥说明必须由本人同意，并提醒兄弟俩有矛盾可以找社区调解。",
     "lessons": "电话回访不是走过场，材料齐全时也可能发现当事人不知情；亲属代办同样要确认本人意愿。",
     "flow": "nominated", "scores": ((4, 5, 4), (5, 4, 4))},
    {"key": "night_service", "author": "pt09-trainer", "category": "service", "occurred": (6, 14),
     "title": "延时服务方便上班族补卡",
     "narrative": "针对上班族反映“白天请不出假”的问题，网点在每周四延时服务至晚上七点，"
                  "并通过居委会公众号提前告知。三个月来延时时段共办理补换卡业务一百余笔，群众评价很好。",
     "lessons": "服务时间可以根据群众需求调整；延时服务同样要保证双人在岗，核验标准不变。",
     "flow": "nominated", "scores": ((3, 4, 3), None)},
    {"key": "deceased_pension", "author": "pt10-trainer", "category": "fraud_prevented", "occurred": (7, 8),
     "title": "家属为已故老人补卡想继续领养老金",
     "narrative": "一名女子为母亲补卡，称母亲住在养老院。受理员电话联系养老院核实，院方表示老人已于年初去世。"
                  "女子这才承认，家里一直没去注销，想补张卡继续领养老金。\n"
                  "受理员向她讲解了冒领养老金的法律责任，并告知办理注销和丧葬补助的正确途径。",
     "lessons": "“住在养老院”“住院了”是冒补时常见的说法，核实一个电话就能讲清；"
                "拒绝的同时告诉对方正确的办事途径。",
     "flow": "nominated", "scores": ((5, 5, 4), None)},
    {"key": "bank_activation", "author": "pt05-trainer", "category": "service", "occurred": (8, 3),
     "title": "一次讲清新卡的银行功能激活",
     "narrative": "不少老人领到新卡后，以为到医院就能直接用银行功能，结果取钱时才发现没有激活，又回到窗口询问。"
                  "网点制作了一张“新卡使用提示”，发卡时逐条讲解并交给老人带回家，此后回头咨询明显减少。",
     "lessons": "发卡时多说一句，群众就少跑一趟；提示材料要用老人看得懂的大字和简单的话。",
     "flow": "nominated", "scores": (None, None)},
    {"key": "lost_receipt", "author": "pt02-trainer", "category": "other", "occurred": (8, 30),
     "title": "回执丢失后如何安全领卡",
     "narrative": "一位居民弄丢了受理回执，来问还能不能领卡。受理员请其出示身份证原件，"
                  "在系统中查到申请并重新打印回执，原回执上的取卡码随即失效，再按正常流程核验后发卡。",
     "lessons": "回执丢失要重新打印，让旧取卡码失效；任何时候发卡都以本人身份证原件为准。",
     "flow": "accepted"},
    {"key": "minor_guardian", "author": "pt03-trainer", "category": "other", "occurred": (9, 10),
     "title": "未成年人补卡须由监护人办理",
     "narrative": "一名十五岁的中学生独自来补卡，称父母上班没空。"
                  "受理员耐心说明十六周岁以下须由监护人凭监护关系证明办理，"
                  "并帮他列出材料清单。第二天，学生的母亲带齐材料来办理，十分钟办结。",
     "lessons": "对未成年人既要守住监护人办理的规定，也要把材料一次讲清，避免家长多跑。",
     "flow": "accepted"},
    {"key": "duplicate_request", "author": "pt07-trainer", "category": "error", "occurred": (10, 15),
     "title": "同一申请人在两个网点重复申请",
     "narrative": "一位居民上午在一个网点申请补卡后，下午又到另一个网点申请。系统提示该申请人已有未办结的申请，"
                  "受理员向居民说明了情况，并告知可查询办理进度，避免了重复制卡。",
     "lessons": "跨网点的重复申请由系统拦截，窗口要向群众解释清楚，并告诉他们查询进度的方法。",
     "flow": "submitted"},
    {"key": "returned_draft", "author": "pt01-trainer", "category": "complaint", "occurred": (11, 4),
     "title": "老人在窗口等候时身体不适的处置",
     "narrative": "一位老人排队时突然说头晕，受理员立即请老人到休息区坐下，拿来温水，同时联系家属，"
                  "并优先为老人办完了业务。家属赶到后表示感谢。",
     "lessons": "窗口要备好常用的应急物品；遇到身体不适的老人，先照顾人，再办业务。",
     "flow": "returned", "return_reason": "请补充当时等候人数和优先办理的依据，以及网点事后做了哪些改进。"},
]

# The draft a PT01 trainer has begun about the demo's high-risk proxy request of today (linked when it exists).
DRAFT = {"key": "today_draft", "author": "pt01-trainer", "category": "fraud_prevented",
         "title": "代办人为预警名单上的老人补卡（草稿）",
         "narrative": "今天上午，一名代办人为一位老人办理挂失补卡，系统提示申请人在预警名单上，申请被列为高风险，"
                      "已转区卡中心督导复核。待复核结果出来后补充处置经过。",
         "lessons": "高风险申请一律交督导复核。（待补充）"}
