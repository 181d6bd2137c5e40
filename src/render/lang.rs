//! The language of the human forms (`--lang en|zh`, SPEC §13): the one table of labels, in
//! English and in the contracts' own words (接起率, 应答率, 调研满意度, 工单, 服务单, 违约金,
//! 结算通知单, 对账单, 甲方/乙方 …). JSON and CSV never change with the language.
//!
//! The words of a money line live beside the line's name, in [`crate::statement::item_words`].

/// A language of the human forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Chinese, with the contracts' words and amounts also in capitals (大写金额).
    Zh,
}

impl Lang {
    /// `en` or `zh`: the `lang` attribute of an HTML page.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// The label `key` in this language.
    ///
    /// # Panics
    /// In debug builds, when `key` is not in the table (a test catches a missing label); release
    /// builds show the key itself.
    pub fn t(self, key: &str) -> &'static str {
        match TABLE.iter().find(|(k, _, _)| *k == key) {
            Some((_, en, zh)) => match self {
                Lang::En => en,
                Lang::Zh => zh,
            },
            None => {
                debug_assert!(false, "no label {key:?} in render::lang::TABLE");
                ""
            }
        }
    }

    /// The label of a metric (`answer_rate` → `answer rate` / `接起率`); an unknown name as is.
    pub fn metric(self, name: &str) -> String {
        let key = format!("metric.{name}");
        match TABLE.iter().find(|(k, _, _)| *k == key) {
            Some((_, en, zh)) => match self {
                Lang::En => en.to_string(),
                Lang::Zh => zh.to_string(),
            },
            None => name.to_string(),
        }
    }
}

/// key, English, Chinese. One row per label; every human form reads its words from here.
const TABLE: &[(&str, &str, &str)] = &[
    // Metrics (SPEC §3), in the words of the contracts' scorecards (001 附件).
    ("metric.answer_rate", "answer rate", "接起率"),
    ("metric.phone_answer_rate", "answer rate (phone)", "接起率（电话）"),
    ("metric.online_response_rate", "response rate (online)", "应答率（在线）"),
    ("metric.service_level", "service level", "服务水平"),
    ("metric.satisfaction", "satisfaction (survey)", "调研满意度"),
    ("metric.work_order_on_time_rate", "work orders replied on time", "工单及时回复率"),
    ("metric.repair_response_rate", "repairs responded on time", "维修及时响应率"),
    ("metric.repair_resolution_rate", "repairs resolved on time", "维修及时修复率"),
    // Documents.
    ("doc.statement", "Settlement notice", "结算通知单"),
    ("doc.statements", "Settlement statements", "结算通知单"),
    ("doc.reconciliation", "Reconciliation", "对账单"),
    ("doc.account", "Account", "往来账"),
    ("doc.final", "Final settlement", "最终结算单"),
    ("month", "month", "结算月份"),
    ("currency", "currency", "币种"),
    ("party.platform", "Platform (Party A)", "甲方（平台）"),
    ("party.vendor", "Vendor (Party B)", "乙方（服务商）"),
    ("platform", "the platform", "甲方"),
    ("assessed", "assessed", "已考核"),
    ("trial", "trial — not assessed", "试用期 — 不考核"),
    // Tables.
    ("metrics", "Metrics", "指标"),
    ("metric", "metric", "指标"),
    ("numerator", "numerator", "分子"),
    ("denominator", "denominator", "分母"),
    ("value", "value", "完成值"),
    ("scorecard", "Scorecard", "考核"),
    ("scorecard_item", "scorecard item", "考核项"),
    ("item", "item", "考核项"),
    ("target", "target", "目标值"),
    ("weight", "weight", "权重"),
    ("points", "points", "得分"),
    ("score", "score", "总分"),
    ("tier", "tier", "考核等级"),
    ("deduction", "deduction", "扣款"),
    ("improve", "one month to improve", "限期一个月整改"),
    ("fails", "fails the standard: the platform takes over", "不达标：甲方接管"),
    ("money", "Money", "费用"),
    ("money_line", "money line", "费用项目"),
    ("line", "line", "费用项目"),
    ("quantity", "quantity", "数量"),
    ("unit_price", "unit price", "单价"),
    ("amount", "amount", "金额"),
    ("total", "total", "合计"),
    ("earned", "earned", "服务费合计"),
    ("fees_charged", "fees charged (takeover, overdue, termination)", "扣费（接管费、超时、终止接管）"),
    ("penalties", "penalties (tier deductions, incidents)", "违约金（考核扣款、违约事件）"),
    ("charged", "charged", "扣款合计"),
    ("net", "net", "应结金额"),
    ("settlement", "settlement", "结算"),
    ("in_capitals", "in capitals", "大写金额"),
    ("figures_deadlines", "Figures and deadlines", "数据与期限"),
    ("figure", "figure", "项目"),
    ("figures", "Figures", "数据"),
    ("figure_value", "value", "数值"),
    ("deadlines", "Deadlines", "期限"),
    ("date", "date", "日期"),
    ("definitions", "Definitions", "计算规则"),
    ("rule", "rule", "规则"),
    ("in_force", "in force", "内容"),
    ("inputs", "Inputs and rates", "数据来源与费率"),
    ("file", "file", "文件"),
    ("rows", "rows", "行数"),
    ("disputes", "Disputes applied", "已采纳的申诉"),
    ("warnings", "Warnings", "提示"),
    ("signatures", "Signatures", "签字盖章"),
    ("signature", "Signature", "签字"),
    ("stamp", "Stamp", "盖章"),
    ("signed_on", "Date", "日期"),
    ("record", "record", "记录"),
    ("decision", "decision", "决定"),
    ("reason", "reason", "理由"),
    ("decided_by", "decided by", "决定人"),
    // Deadlines (SPEC §10), 001 §5.3.
    ("deadline.notice_by", "settlement notice by", "结算通知不晚于"),
    ("deadline.results_by", "results by", "考核结果不晚于"),
    ("deadline.appeal_by", "appeal by", "申诉不晚于"),
    ("deadline.final_by", "final by", "最终结果不晚于"),
    ("deadline.payment_by", "payment by", "付款不晚于"),
    // Figures.
    ("fig.contacts", "contacts offered / answered", "进线量 / 接起量"),
    ("fig.outside", "outside service hours / short abandons", "非服务时间 / 短时放弃"),
    ("fig.speed", "avg speed of answer / talk (s)", "平均接起时长 / 通话时长（秒）"),
    ("fig.effective", "effective calls / online sessions", "有效电话 / 在线咨询"),
    ("fig.takeovers", "takeovers answered / unanswered", "接管已接起 / 未接起"),
    ("fig.work_orders", "work orders on time / overdue / pending", "工单及时 / 超时 / 未到期"),
    ("fig.repair_response", "repairs response ok / failed / pending", "维修响应及时 / 超时 / 未到期"),
    ("fig.repair_resolution", "repairs resolution ok / failed / pending", "维修修复及时 / 超时 / 未到期"),
    ("fig.complaints", "complaints resolved / service orders completed", "投诉已处理 / 服务单已完成"),
    ("fig.orders", "completed orders / amount", "完成订单 / 金额"),
    ("fig.incidents", "incidents month / to date", "违约事件 本月 / 累计"),
    ("fig.liability", "liability / before / charged", "违约金 累计 / 此前已扣 / 本月"),
    ("fig.thresholds", "thresholds / termination right", "达到的门槛 / 解约权"),
    ("fig.end", "last day of service / judged at", "最后服务日 / 判定时点"),
    ("fig.taken_over", "taken over: work orders / service / repairs", "甲方接管：工单 / 服务单 / 维修"),
    ("fig.replies_ignored", "vendor replies after the end, ignored", "终止后乙方回复（不计）"),
    ("records", "record(s)", "条记录"),
    ("none", "none", "无"),
    ("yes", "yes", "是"),
    ("no", "no", "否"),
    ("incident.confidentiality", "confidentiality", "泄露客户信息"),
    ("incident.service_breach", "service breach", "违反服务规范"),
    // Who pays whom (SPEC §4 "Settlement").
    ("pays.platform", "The platform pays {vendor} {amount} {currency} by {date}.", "甲方应于 {date} 前向乙方 {vendor} 支付 {amount} 元。"),
    ("pays.vendor_deduct", "{vendor} owes the platform {amount} {currency}: deducted from the platform's next payment to the vendor.", "乙方 {vendor} 应付甲方 {amount} 元，从甲方下次付给乙方的服务费中扣除。"),
    ("pays.vendor_wire", "{vendor} owes the platform {amount} {currency}: to be wired to the platform by {date}.", "乙方 {vendor} 应于 {date} 前向甲方汇付 {amount} 元。"),
    ("pays.nothing", "Nothing is owed either way.", "双方互不欠款。"),
    ("capitals.platform", "the platform pays the vendor", "甲方付乙方"),
    ("capitals.vendor", "the vendor pays the platform", "乙方付甲方"),
    ("capitals.nothing", "nothing is owed", "互不欠款"),
    ("verdict.platform", "platform pays {vendor}", "甲方付 {vendor}"),
    ("verdict.vendor_wire", "{vendor} wires platform by {date}", "{vendor} {date} 前汇付甲方"),
    ("verdict.vendor_deduct", "{vendor} pays platform (deducted)", "{vendor} 付甲方（抵扣）"),
    ("verdict.trial", "(trial)", "（试用期）"),
    ("verdict.nothing", "nothing due", "互不欠款"),
    ("method.deduct", "deducted from the platform's next payment", "从下次付款中抵扣"),
    ("method.wire", "wired by the due date", "到期前汇付"),
    // Reconciliation and account.
    ("balance", "balance", "余额"),
    ("status", "status", "状态"),
    ("vendor", "vendor", "乙方"),
    ("due", "due", "应付"),
    ("paid", "paid", "已付"),
    ("outstanding", "outstanding", "未付"),
    ("late_days", "late days", "逾期天数"),
    ("late_charge", "late charge", "逾期违约金"),
    ("as_of", "as of", "截至"),
    ("dues", "Dues and payments", "应付与已付"),
    ("who_owes", "who owes", "付款方"),
    ("party_word.platform", "platform", "甲方"),
    ("party_word.vendor", "vendor", "乙方"),
    ("status.nothing_due", "nothing due", "无应付"),
    ("status.deducted", "deducted", "已抵扣"),
    ("status.not_due", "not due", "未到期"),
    ("status.paid", "paid", "已付"),
    ("status.paid_late", "paid late", "逾期支付"),
    ("status.overpaid", "overpaid by", "多付"),
    ("status.overdue", "overdue", "逾期未付"),
    ("status.partly_paid", "partly paid", "部分支付"),
    ("pos.platform_owes", "outstanding owed by the platform", "甲方未付"),
    ("pos.vendor_owes", "outstanding owed by the vendor", "乙方未付"),
    ("pos.late_platform", "late charges owed by the platform", "甲方逾期违约金"),
    ("pos.late_vendor", "late charges owed by the vendor", "乙方逾期违约金"),
    ("pos.deductions", "deductions", "扣减"),
    ("due_by", "due by", "到期日"),
    ("position", "position", "往来余额"),
    ("deduction_id", "deduction", "扣减"),
    ("our_qty", "our qty", "甲方数量"),
    ("our_amount", "our amount", "甲方金额"),
    ("claimed_qty", "claimed qty", "乙方数量"),
    ("claimed_amount", "claimed amount", "乙方金额"),
    ("delta_qty", "Δ qty", "数量差"),
    ("delta_amount", "Δ amount", "金额差"),
    ("records_of", "records of", "明细"),
    ("matched", "matched", "一致"),
    ("claimed_only", "claimed only", "仅乙方"),
    ("ours_only", "ours only", "仅甲方"),
    ("amount_differs", "amount differs", "金额不同"),
    ("lines", "Lines", "费用对比"),
    ("records_heading", "Records", "明细核对"),
    ("differences", "Differences", "差异"),
    ("id", "id", "编号"),
    ("fact", "fact", "事实"),
    ("source", "source", "来源"),
    ("more", "… and {n} more (every record is in --format json|csv and differences.csv)", "… 另有 {n} 条（全部见 --format json|csv 与 differences.csv）"),
    ("ours_net", "net of our statement", "甲方结算通知单应结金额"),
    ("claimed_net", "net claimed by the vendor", "乙方申报应结金额"),
    ("agrees", "the vendor's list agrees with the statement", "乙方对账单与结算通知单一致"),
    ("disagrees", "{n} line(s) and {m} record(s) differ; claimed {claimed}, ours {ours}, difference {delta}", "{n} 个费用项目、{m} 条明细不一致；乙方申报 {claimed}，甲方 {ours}，差额 {delta}"),
    ("claimed", "claimed", "乙方申报"),
    ("stated", "stated", "结算通知单"),
    ("difference", "difference", "差额"),
    ("difference_reason", "reason", "原因"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_once_and_both_languages_written() {
        for (i, (k, en, zh)) in TABLE.iter().enumerate() {
            assert!(!en.is_empty() && !zh.is_empty(), "{k}");
            assert!(
                TABLE[..i].iter().all(|(other, _, _)| other != k),
                "{k} twice"
            );
        }
    }

    #[test]
    fn the_contracts_words() {
        assert_eq!(Lang::Zh.metric("answer_rate"), "接起率");
        assert_eq!(Lang::Zh.metric("satisfaction"), "调研满意度");
        assert_eq!(Lang::Zh.metric("online_response_rate"), "应答率（在线）");
        assert_eq!(Lang::Zh.t("doc.statement"), "结算通知单");
        assert_eq!(Lang::Zh.t("doc.reconciliation"), "对账单");
        assert_eq!(Lang::En.metric("no_such_metric"), "no_such_metric");
    }
}
