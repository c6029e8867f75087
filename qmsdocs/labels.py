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
}

# Labels of the meeting minutes (会议纪要).
_MINUTES: dict[str, tuple[str, str]] = {
}

# Labels of the score sheets (考评评分表).
_SCORES: dict[str, tuple[str, str]] = {
}

_LABELS.update(_MINUTES)
_LABELS.update(_SCORES)


def labels(language: str) -> dict[str, str]:
    """Return every label in the given language (``zh`` or ``en``)."""
    index = 0 if language == "zh" else 1
    return {key: pair[index] for key, pair in _LABELS.items()}
