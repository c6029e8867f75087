"""Words printed in the documents, in Chinese and English."""
from __future__ import annotations

_LABELS: dict[str, tuple[str, str]] = {
    # the controlled frame (cover, header, revision record)
    "management_document": ("管理文件", "MANAGEMENT DOCUMENT"),
    "notice": ("受控文件未经批准不得复制、打印", "Controlled document: do not copy or print without approval"),
    "doc_no": ("文件编号", "Document No."),
    "version": ("版本号", "Version"),
    "version_short": ("版本", "Version"),
    "title": ("标题", "Title"),
    "page": ("页次", "Page"),
    "status": ("状态", "Status"),
    "compiled_on": ("编制日期", "Compiled on"),
    "release_date": ("发布日期", "Release date"),
    "effective_date": ("生效日期", "Effective date"),
    "copy_no": ("副本编号", "Copy No."),
    "approval": ("审批", "Approval"),
    "name": ("姓名", "Name"),
    "date": ("日期", "Date"),
    "revision_record": ("修订记录", "Revision record"),
    "rev_no": ("序号", "No."),
    "rev_pages": ("页码", "Pages"),
    "rev_change_no": ("更改单号", "Change No."),
    "rev_changed_by": ("更改人", "Changed by"),
    "rev_effective": ("生效日期", "Effective date"),
    "rev_summary": ("摘要", "Summary"),
    "initial_issue": ("首次发布", "Initial issue"),
    "all_pages": ("全部", "All"),
    "uncontrolled_copy": ("非受控", "Uncontrolled"),
    "role_compile": ("编制", "Compiled by"),
    "role_standardize": ("标准化", "Standardized by"),
    "role_review": ("审核", "Reviewed by"),
    "role_countersign": ("会签", "Countersigned by"),
    "role_approve": ("批准", "Approved by"),
    "mark_draft": ("草稿 DRAFT", "DRAFT"),
    "mark_approved": ("批准待生效 APPROVED, EFFECTIVE FROM", "APPROVED, EFFECTIVE FROM"),
    "mark_withdrawn": ("已撤回 WITHDRAWN", "WITHDRAWN"),
    "mark_working_copy": ("非受控 工作副本 UNCONTROLLED WORKING COPY", "UNCONTROLLED WORKING COPY"),
    "mark_effective": ("受控 CONTROLLED", "CONTROLLED"),
    "mark_superseded": ("已替代 SUPERSEDED", "SUPERSEDED"),
    "mark_obsolete": ("作废 OBSOLETE", "OBSOLETE"),
    # the evaluation plan (seed §6.5.2)
    "plan_title": ("客户服务体系考评策划书", "Customer Service Evaluation Plan"),
    "purpose": ("目的", "Purpose"),
    "scope": ("范围", "Scope"),
    "reference": ("规范性引用文件", "Normative reference"),
    "reference_text": ("下列文件中的条款通过本文件的引用而成为本文件的条款：",
                       "The following document contains provisions that, through reference in this text, "
                       "constitute provisions of this document:"),
    "arrangement": ("考评安排", "Arrangement"),
    "period": ("考评周期", "Evaluation period"),
    "organizer": ("组织者", "Organizer"),
    "start": ("开始日期", "Start"),
    "end": ("结束日期", "End"),
    "meeting_date": ("考评沟通会日期", "Communication meeting"),
    "indicators": ("考评指标", "Indicators"),
    "code": ("代码", "Code"),
    "indicator_name": ("名称", "Name"),
    "kind": ("类型", "Kind"),
    "dimension": ("维度", "Dimension"),
    "weight": ("权重", "Weight"),
    "metric": ("计量指标", "Metric"),
    "target": ("目标值", "Target"),
    "limit": ("限值", "Limit"),
    "method": ("考评方法", "Method"),
    "methods_title": ("考评方法", "Evaluation methods"),
    "methods_text": ("考评采用PDCA循环，优缺点相结合、同事互评与领导考评相结合、定量与定性相结合、工作态度与工作结果相结合，"
                     "运用听、查、看、访、考、测、问七种方法。",
                     "The evaluation follows the PDCA cycle and combines strengths and weaknesses, peer and leader "
                     "assessment, quantitative and qualitative indicators, attitude and results, using seven methods: "
                     "listen, check, look, visit, test, measure and ask."),
    "targets_title": ("服务目标", "Service objectives"),
    "targets_text": ("一次修复合格率：初期≥90%，中期≥95%，长期≥99%；因服务引起的客户投诉为零。",
                     "First-time fix pass rate: ≥ 90 % initially, ≥ 95 % mid-term, ≥ 99 % long-term; "
                     "zero customer complaints caused by service."),
    "schedule": ("日程安排", "Schedule"),
    "step": ("步骤", "Step"),
    "owner": ("负责人", "Owner"),
    "output": ("输出", "Output"),
    "evaluators": ("考评人员", "Evaluators"),
    "role": ("职务", "Role"),
    "evaluator_type": ("类别", "Type"),
    "summary_method": ("结果汇总方法", "How results are summarised"),
    "feedback_method": ("绩效沟通", "How performance is communicated"),
    "none": ("—", "—"),
    # the revision log (修订记录) of a document
    "revision_log": ("修订记录", "Revision log"),
    "log_document": ("文件", "Document"),
    "log_current": ("现行版本", "Current version"),
    "log_generated": ("生成日期", "Generated on"),
    "approved_by": ("批准人", "Approved by"),
    "status_draft": ("草稿", "Draft"),
    "status_approved": ("批准待生效", "Approved, not yet effective"),
    "status_withdrawn": ("已撤回", "Withdrawn"),
    "status_effective": ("受控", "Effective"),
    "status_superseded": ("已替代", "Superseded"),
    "status_obsolete": ("作废", "Obsolete"),
    # the master list (受控文件清单)
    "master_list": ("受控文件清单", "Master list of controlled documents"),
    "master_list_sheet": ("受控文件清单", "Master list"),
    "master_as_of": ("截至", "as of"),
    "master_change_no": ("更改单号", "Change No."),
    "master_effective": ("生效日期", "Effective date"),
    "master_next_review": ("下次评审", "Next review"),
    "master_open_draft": ("在编草稿", "Open draft"),
    "master_owner": ("编制人", "Compiled by"),
    "master_type": ("类型", "Type"),
    # the kinds of document qmsdocs generates, as registers name them
    "kind_plan": ("考评策划书", "Evaluation plan"),
    "kind_minutes": ("会议纪要", "Meeting minutes"),
    "kind_scores": ("评分表", "Score sheet"),
}

# Labels of the meeting minutes (会议纪要).
_MINUTES: dict[str, tuple[str, str]] = {
    "minutes_details": ("会议概况", "Meeting details"),
    "minutes_meeting_title": ("标题", "Title"),
    "minutes_date": ("会议日期", "Date"),
    "minutes_time": ("会议时间", "Time"),
    "minutes_location": ("会议地点", "Location"),
    "minutes_chair": ("主持人", "Chair"),
    "minutes_recorder": ("记录人", "Recorder"),
    "minutes_attendance": ("出席情况", "Attendance"),
    # str.format fields: expected, present, absent (counts of the Attendees sheet).
    "minutes_attendance_text": ("应到 {expected} 人，实到 {present} 人，缺席 {absent} 人",
                                "{expected} invited, {present} present, {absent} absent"),
    "minutes_reference": ("规范性引用文件", "Normative reference"),
    "minutes_purpose": ("会议目的", "Purpose of the meeting"),
    "minutes_present": ("出席人员", "Attendees present"),
    "minutes_absent": ("缺席人员", "Attendees absent"),
    "minutes_nobody_absent": ("无缺席人员。", "Nobody was absent."),
    "minutes_no": ("序号", "No."),
    "minutes_name": ("姓名", "Name"),
    "minutes_department": ("部门", "Department"),
    "minutes_role": ("职务", "Role"),
    "minutes_agenda": ("会议议程及记录", "Agenda and notes"),
    "minutes_topic": ("议题", "Topic"),
    "minutes_presenter": ("报告人", "Presenter"),
    "minutes_notes": ("记录", "Notes"),
    "minutes_decisions": ("会议决议", "Decisions"),
    "minutes_decision": ("决议", "Decision"),
    "minutes_no_decisions": ("本次会议未形成决议。", "No decisions were taken."),
    "minutes_actions": ("行动项", "Action items"),
    "minutes_action": ("行动项", "Action"),
    "minutes_owner": ("责任人", "Owner"),
    "minutes_due": ("完成日期", "Due"),
    "minutes_status": ("状态", "Status"),
    "minutes_no_actions": ("本次会议无行动项。", "No action items."),
}

# Labels of the score sheets (考评评分表).
_SCORES: dict[str, tuple[str, str]] = {
    "scores_title": ("客户服务人员考评评分表", "Customer Service Evaluation Score Sheets"),
    "scores_overview": ("考评概况", "Overview"),
    "evaluated_on": ("考评日期", "Evaluated on"),
    "staff_count": ("参评人数", "Staff evaluated"),
    "leader_weight": ("领导评分权重", "Leader weight"),
    "scores_summary": ("评分汇总", "Summary of results"),
    "rank": ("名次", "Rank"),
    "staff_id": ("工号", "Staff ID"),
    "position": ("岗位", "Position"),
    "total": ("总分", "Total"),
    "grade": ("等级", "Grade"),
    "grade_excellent": ("优秀", "Excellent"),
    "grade_good": ("良好", "Good"),
    "grade_satisfactory": ("合格", "Satisfactory"),
    "grade_needs_improvement": ("待改进", "Needs improvement"),
    "indicator_averages": ("各指标团队平均分", "Team average per indicator"),
    "average": ("平均分", "Average"),
    "staff_scored": ("计分人数", "Staff scored"),
    "team_figures": ("团队指标与目标", "Team figures against targets"),
    "team_item": ("项目", "Item"),
    "team_actual": ("实际", "Actual"),
    "team_result": ("结论", "Result"),
    "team_jobs": ("服务次数合计", "Jobs, all staff"),
    "team_first_pass_count": ("一次修复合格数合计", "First-time fixes, all staff"),
    "team_first_pass": ("团队一次修复合格率", "Team first-time fix pass rate"),
    "target_initial": ("初期目标", "Initial target"),
    "target_mid_term": ("中期目标", "Mid-term target"),
    "target_long_term": ("长期目标", "Long-term target"),
    "team_complaints": ("因服务引起的客户投诉", "Customer complaints caused by service"),
    "met": ("达成", "Met"),
    "not_met": ("未达成", "Not met"),
    "chart_totals": ("图1 个人总分", "Figure 1 Total score per person"),
    "chart_team": ("图2 一次修复合格率与目标", "Figure 2 First-time fix pass rate against the targets"),
    "chart_team_bar": ("团队", "Team"),
    "person_sheet": ("个人考评评分表", "Individual score sheet"),
    "service_record": ("服务记录", "Service record"),
    "jobs": ("服务次数", "Jobs"),
    "first_pass": ("一次修复合格数", "First-time fixes"),
    "repeat": ("二次修复数", "Repeat repairs"),
    "complaints": ("投诉数", "Complaints"),
    "scrapped": ("废损数", "Scrapped"),
    "indicator_scores": ("指标得分", "Indicator scores"),
    "measured": ("实测值", "Measured"),
    "leader_mean": ("领导评分均值", "Leader mean"),
    "peer_mean": ("同事评分均值", "Peer mean"),
    "score": ("得分", "Score"),
    "weighted_score": ("加权得分", "Weighted score"),
    "ratings": ("评分明细", "Ratings"),
    "leader_ratings": ("领导评分", "Leader ratings"),
    "peer_ratings": ("同事评分", "Peer ratings"),
    "talk": ("绩效沟通", "Performance talk"),
    "talk_text": ("考评人已与被考评人就上述得分、差距及改进措施进行一对一沟通，双方签字确认。",
                  "The evaluator has discussed the scores above, the gaps and the improvement actions with "
                  "the staff member one to one; both sign to confirm."),
    "improvement": ("改进措施：", "Improvement actions:"),
    "evaluator_signature": ("考评人签字", "Evaluator's signature"),
    "staff_signature": ("被考评人签字", "Staff member's signature"),
    "rounding_note": ("各指标得分与加权得分四舍五入至一位小数显示；总分由精确值计算后再取一位小数。",
                      "Indicator scores and weighted scores are rounded to one decimal for display; "
                      "the total is computed from the exact values, then rounded."),
    "not_applicable_note": ("“—”表示不适用：服务次数为0时的定量指标不计分，也不计入总分的分母。",
                            "“—” means not applicable: with no jobs the quantitative indicators are not "
                            "scored and leave the total's denominator."),
    "formula_appendix": ("附录 计分公式", "Appendix: scoring formulas"),
    "formula_intro": ("以下公式与本表的全部数值一一对应，审核员可据此复算每一项得分。",
                      "Every figure in these sheets follows from the formulas below, so an auditor can "
                      "recompute each score."),
    "formula_rates": ("计量值：一次修复合格率 = 一次修复合格数 ÷ 服务次数；二次修复率 = 二次修复数 ÷ 服务次数；"
                      "投诉率 = 投诉数 ÷ 服务次数；废损率 = 废损数 ÷ 服务次数。服务次数为0时定量指标不适用（—），"
                      "不计入总分的分母。",
                      "Metric values: first-time fix pass rate = first-time fixes ÷ jobs; repeat-repair rate = "
                      "repeat repairs ÷ jobs; complaint rate = complaints ÷ jobs; scrap rate = scrapped ÷ jobs. "
                      "With 0 jobs the quantitative indicators are not applicable (—) and leave the total's "
                      "denominator."),
    "formula_higher": ("{code} {name}（越高越好）：得分 = 100 × min(1, {metric} ÷ {target})",
                       "{code} {name} (higher is better): score = 100 × min(1, {metric} ÷ {target})"),
    "formula_lower": ("{code} {name}（越低越好）：{metric} ≤ {target} 得100分；{metric} ≥ {limit} 得0分；"
                      "其间得分 = 100 × ({limit} − {metric}) ÷ ({limit} − {target})",
                      "{code} {name} (lower is better): score = 100 if {metric} ≤ {target}; 0 if {metric} ≥ "
                      "{limit}; otherwise 100 × ({limit} − {metric}) ÷ ({limit} − {target})"),
    "formula_qualitative": ("{code} {name}（定性）：得分 = {w} × 领导评分均值 + {v} × 同事评分均值；"
                            "只有一类考评人评分时取该类的均值",
                            "{code} {name} (qualitative): score = {w} × leader mean + {v} × peer mean; "
                            "where only one kind of evaluator rated, that kind's mean"),
    "formula_total": ("总分 = Σ(权重 × 指标得分) ÷ Σ权重，只计适用的指标；加权得分 = 权重 × 指标得分 ÷ Σ适用权重，"
                      "各指标加权得分之和即为总分。",
                      "Total = Σ(weight × score) ÷ Σ weight over the applicable indicators; weighted score = "
                      "weight × score ÷ Σ applicable weights, so the weighted scores add up to the total."),
    "formula_rounding": ("全部计算按精确分数进行；显示值四舍五入（逢五进一）保留一位小数；名次与等级按保留一位小数后的总分确定，"
                         "总分相同者名次相同（如1、2、2、4）。",
                         "All arithmetic is exact; shown values are rounded half up to one decimal; ranks and "
                         "grades follow the rounded total, and equal totals share a rank (1, 2, 2, 4)."),
    "formula_grades": ("等级：总分 ≥ {excellent} 为优秀；≥ {good} 为良好；≥ {satisfactory} 为合格；其余为待改进。",
                       "Grade: total ≥ {excellent} Excellent; ≥ {good} Good; ≥ {satisfactory} Satisfactory; "
                       "otherwise Needs improvement."),
    "formula_team": ("团队一次修复合格率 = Σ一次修复合格数 ÷ Σ服务次数，对照{targets}的目标（达到或超过即达成）；"
                     "因服务引起的客户投诉目标为零。",
                     "Team first-time fix pass rate = Σ first-time fixes ÷ Σ jobs, against the targets {targets} "
                     "(met when reached or exceeded); customer complaints caused by service: target zero."),
}

_LABELS.update(_MINUTES)
_LABELS.update(_SCORES)


def labels(language: str) -> dict[str, str]:
    """Return every label in the given language (``zh`` or ``en``)."""
    index = 0 if language == "zh" else 1
    return {key: pair[index] for key, pair in _LABELS.items()}
