//! The names of a statement's money lines (SPEC §5 "Money lines"): the section of a line and its
//! item, `takeover/aftersales/package1/phone`, written and read through one type, with its words
//! for people (SPEC §13).

use crate::base::word::serde_words;
use crate::base::word::Word;
use crate::contract::terms::IncidentKind;
pub use crate::input::cells::Channel;
use crate::input::cells::{Stage, TicketKind};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// The section of a money line: what the line does to the net.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Section {
    /// Earned by the vendor.
    Earn,
    /// Work the platform took over, charged as a fee.
    Takeover,
    /// Overdue work orders, charged as a fee.
    Overdue,
    /// A scorecard's tier deduction.
    Penalty,
    /// An incident's charge (SPEC §9).
    Incident,
    /// Work taken over at the end of the contract (SPEC §12), charged as a fee.
    Termination,
}

impl Section {
    /// Every section, in statement order.
    pub const ALL: [Section; 6] = [
        Section::Earn,
        Section::Takeover,
        Section::Overdue,
        Section::Penalty,
        Section::Incident,
        Section::Termination,
    ];

    /// The section of an item named `item`: the name's part up to the first `/`, if it is a
    /// section's.
    pub fn of(item: &str) -> Option<Section> {
        let first = item.split('/').next().unwrap_or(item);
        Section::ALL.into_iter().find(|s| s.as_str() == first)
    }

    /// Whether a line of the section is charged to the vendor (taken off the net) rather than
    /// earned: the human forms show its amount as a deduction, with a minus sign.
    pub fn is_charge(self) -> bool {
        self != Section::Earn
    }

    /// Whether the section's lines are invoiced as fees (`totals.fees_charged`).
    pub fn is_fee(self) -> bool {
        matches!(
            self,
            Section::Takeover | Section::Overdue | Section::Termination
        )
    }

    /// Whether the section's lines are receipted as penalties (`totals.penalties`).
    pub fn is_penalty(self) -> bool {
        matches!(self, Section::Penalty | Section::Incident)
    }
}

serde_words!(Section);

/// A channel's words: English, Chinese.
fn channel_words(ch: Channel) -> [&'static str; 2] {
    match ch {
        Channel::Phone => ["phone", "电话"],
        Channel::Online => ["online", "在线"],
    }
}

fn parse_channel(s: &str) -> Option<Channel> {
    Channel::ALL.into_iter().find(|c| c.as_str() == s)
}

/// What a vendor earns by (`[earn]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Earning {
    /// Per effective phone call.
    PhoneEffectiveCall,
    /// Per online session.
    OnlineSession,
    /// Per resolved complaint.
    ComplaintResolved,
    /// Per completed service order.
    ServiceOrder,
    /// Commission on completed orders.
    Commission,
}

/// Work taken over at the end of the contract (SPEC §12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum TakenOver {
    /// Work orders.
    WorkOrder,
    /// Service orders.
    ServiceOrder,
    /// Repairs.
    Repair,
}

/// The stages that name a takeover's part of an item: their words are the stages' own.
const PRESALES: Stage = Stage::Presales;
const AFTERSALES: Stage = Stage::Aftersales;

/// A money line's item: its section and what it counts, written `section/part/...`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LineItem {
    /// `earn/<earning>`.
    Earn(Earning),
    /// `takeover/presales/<channel>`.
    TakeoverPresales(Channel),
    /// `takeover/aftersales/<package>/<channel>`.
    TakeoverAftersales {
        /// The package's name in rates.toml.
        package: String,
        /// The channel.
        channel: Channel,
    },
    /// `takeover/service_order`.
    TakeoverServiceOrder,
    /// `overdue/work_order`.
    OverdueWorkOrder,
    /// `penalty/<scorecard>`.
    Penalty(String),
    /// `incident/<kind>`.
    Incident(IncidentKind),
    /// `termination/<work>`.
    Termination(TakenOver),
}

impl Earning {
    /// Every earning, in statement order.
    pub const ALL: [Earning; 5] = [
        Earning::PhoneEffectiveCall,
        Earning::OnlineSession,
        Earning::ComplaintResolved,
        Earning::ServiceOrder,
        Earning::Commission,
    ];
}

impl TakenOver {
    /// Every kind of work, in statement order.
    pub const ALL: [TakenOver; 3] = [
        TakenOver::WorkOrder,
        TakenOver::ServiceOrder,
        TakenOver::Repair,
    ];
}

impl LineItem {
    /// The section the item's line is in.
    pub fn section(&self) -> Section {
        match self {
            LineItem::Earn(_) => Section::Earn,
            LineItem::TakeoverPresales(_)
            | LineItem::TakeoverAftersales { .. }
            | LineItem::TakeoverServiceOrder => Section::Takeover,
            LineItem::OverdueWorkOrder => Section::Overdue,
            LineItem::Penalty(_) => Section::Penalty,
            LineItem::Incident(_) => Section::Incident,
            LineItem::Termination(_) => Section::Termination,
        }
    }

    /// The item in words, in English and in the contracts' Chinese, for the human forms
    /// (SPEC §13): `takeover/aftersales/package1/phone` → "Takeover — after-sales, package 1,
    /// phone" and "接管 — 售后 套餐一 电话".
    pub fn words(&self) -> [String; 2] {
        let two = |en: &str, zh: &str| [en.to_string(), zh.to_string()];
        // A name with a slash in it is not split into words: shown as written.
        let as_written = || [self.to_string(), self.to_string()];
        match self {
            LineItem::Earn(e) => match e {
                Earning::PhoneEffectiveCall => two("Effective phone calls", "有效电话"),
                Earning::OnlineSession => two("Online sessions", "在线咨询"),
                Earning::ComplaintResolved => two("Complaints resolved", "投诉处理"),
                Earning::ServiceOrder => two("Service orders completed", "服务单"),
                Earning::Commission => two("Commission on completed orders", "订单佣金"),
            },
            LineItem::TakeoverPresales(ch) => {
                let [en, zh] = channel_words(*ch);
                [
                    format!("Takeover — pre-sales, {en}"),
                    format!("接管 — 售前 {zh}"),
                ]
            }
            LineItem::TakeoverAftersales { package, .. } if package.contains('/') => as_written(),
            LineItem::TakeoverAftersales { package, channel } => {
                let ([pe, pz], [ce, cz]) = (package_words(package), channel_words(*channel));
                [
                    format!("Takeover — after-sales, {pe}, {ce}"),
                    format!("接管 — 售后 {pz} {cz}"),
                ]
            }
            LineItem::TakeoverServiceOrder => two("Takeover — service orders", "接管 — 服务单"),
            LineItem::OverdueWorkOrder => two("Overdue work orders", "工单超时"),
            LineItem::Penalty(card) if card.contains('/') => as_written(),
            LineItem::Penalty(card) => [
                format!("Tier deduction — {card} scorecard"),
                format!("考核扣款 — {card}"),
            ],
            LineItem::Incident(IncidentKind::Confidentiality) => two(
                "Incident — customer records disclosed",
                "违约金 — 泄露客户信息",
            ),
            LineItem::Incident(IncidentKind::ServiceBreach) => two(
                "Incident — breach of the service terms",
                "违约金 — 违反服务规范",
            ),
            LineItem::Termination(TakenOver::WorkOrder) => two(
                "End of contract — work orders taken over",
                "合同终止 — 甲方接管工单",
            ),
            LineItem::Termination(TakenOver::ServiceOrder) => two(
                "End of contract — service orders taken over",
                "合同终止 — 甲方接管服务单",
            ),
            LineItem::Termination(TakenOver::Repair) => two(
                "End of contract — repairs taken over",
                "合同终止 — 甲方接管维修",
            ),
        }
    }
}

/// `package1` → "package 1" / "套餐一" (the contracts' 套餐一, 套餐二); another name as is.
fn package_words(p: &str) -> [String; 2] {
    match p
        .strip_prefix("package")
        .and_then(|n| n.parse::<usize>().ok())
    {
        Some(n) => {
            const NUMERALS: [&str; 10] =
                ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
            let zh = NUMERALS
                .get(n)
                .map_or_else(|| n.to_string(), |s| s.to_string());
            [format!("package {n}"), format!("套餐{zh}")]
        }
        None => [p.to_string(), p.to_string()],
    }
}

impl fmt::Display for LineItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/", self.section().as_str())?;
        match self {
            LineItem::Earn(e) => f.write_str(e.as_str()),
            LineItem::TakeoverPresales(ch) => write!(f, "{}/{}", PRESALES.as_str(), ch.as_str()),
            LineItem::TakeoverAftersales { package, channel } => {
                write!(f, "{}/{package}/{}", AFTERSALES.as_str(), channel.as_str())
            }
            LineItem::TakeoverServiceOrder => f.write_str(TicketKind::ServiceOrder.as_str()),
            LineItem::OverdueWorkOrder => f.write_str(TicketKind::WorkOrder.as_str()),
            LineItem::Penalty(card) => f.write_str(card),
            LineItem::Incident(kind) => f.write_str(kind.as_str()),
            LineItem::Termination(t) => f.write_str(t.as_str()),
        }
    }
}

/// A name that is no line item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownItem;

impl fmt::Display for UnknownItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a line item name (SPEC §5)")
    }
}

impl FromStr for LineItem {
    type Err = UnknownItem;

    /// The item written `s`, exactly as [`LineItem`]'s `Display` writes it.
    fn from_str(s: &str) -> Result<LineItem, UnknownItem> {
        let (section, rest) = s.split_once('/').ok_or(UnknownItem)?;
        let section = Section::ALL
            .into_iter()
            .find(|x| x.as_str() == section)
            .ok_or(UnknownItem)?;
        let item = match section {
            Section::Earn => Earning::ALL
                .into_iter()
                .find(|e| e.as_str() == rest)
                .map(LineItem::Earn),
            Section::Takeover => {
                if rest == TicketKind::ServiceOrder.as_str() {
                    Some(LineItem::TakeoverServiceOrder)
                } else if let Some(ch) = rest
                    .strip_prefix(PRESALES.as_str())
                    .and_then(|r| r.strip_prefix('/'))
                {
                    parse_channel(ch).map(LineItem::TakeoverPresales)
                } else {
                    rest.strip_prefix(AFTERSALES.as_str())
                        .and_then(|r| r.strip_prefix('/'))
                        .and_then(|r| r.rsplit_once('/'))
                        .and_then(|(package, ch)| {
                            Some(LineItem::TakeoverAftersales {
                                package: package.to_string(),
                                channel: parse_channel(ch)?,
                            })
                        })
                }
            }
            Section::Overdue => {
                (rest == TicketKind::WorkOrder.as_str()).then_some(LineItem::OverdueWorkOrder)
            }
            Section::Penalty => Some(LineItem::Penalty(rest.to_string())),
            Section::Incident => IncidentKind::ALL
                .into_iter()
                .find(|k| k.as_str() == rest)
                .map(LineItem::Incident),
            Section::Termination => TakenOver::ALL
                .into_iter()
                .find(|t| t.as_str() == rest)
                .map(LineItem::Termination),
        };
        item.ok_or(UnknownItem)
    }
}

impl Serialize for LineItem {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LineItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(|e: UnknownItem| {
            serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(&name),
                &e.to_string().as_str(),
            )
        })
    }
}

/// Who pays whom (`settlement.direction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Direction {
    /// The net is positive.
    PlatformPaysVendor,
    /// The net is negative.
    VendorPaysPlatform,
    /// The net is zero.
    NothingDue,
}

impl Direction {
    /// Every direction.
    pub const ALL: [Direction; 3] = [
        Direction::PlatformPaysVendor,
        Direction::VendorPaysPlatform,
        Direction::NothingDue,
    ];
}

serde_words!(Direction);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::money::Rounding;
    use crate::contract::terms::{MetricName, SettlementMethod};
    use crate::statement::incidents::Threshold;
    use strum::VariantArray;

    /// The `ALL` lists give the statement's order as arrays; each must hold every variant, in
    /// declaration order, so a new word can never be left out of reading or writing.
    #[test]
    fn every_list_of_words_holds_every_variant() {
        assert_eq!(&Section::ALL[..], Section::VARIANTS);
        assert_eq!(&Earning::ALL[..], Earning::VARIANTS);
        assert_eq!(&TakenOver::ALL[..], TakenOver::VARIANTS);
        assert_eq!(&Direction::ALL[..], Direction::VARIANTS);
        assert_eq!(&Channel::ALL[..], Channel::VARIANTS);
        assert_eq!(&IncidentKind::ALL[..], IncidentKind::VARIANTS);
        assert_eq!(&MetricName::ALL[..], MetricName::VARIANTS);
        assert_eq!(&SettlementMethod::ALL[..], SettlementMethod::VARIANTS);
        assert_eq!(&Threshold::ALL[..], Threshold::VARIANTS);
        assert_eq!(&Rounding::ALL[..], Rounding::VARIANTS);
    }

    #[test]
    fn every_item_reads_back_as_written() {
        for name in [
            "earn/phone_effective_call",
            "earn/commission",
            "takeover/presales/online",
            "takeover/aftersales/package1/phone",
            "takeover/aftersales/a/b/online",
            "takeover/service_order",
            "overdue/work_order",
            "penalty/consulting",
            "penalty/x/y",
            "incident/service_breach",
            "termination/repair",
        ] {
            let item: LineItem = name.parse().unwrap();
            assert_eq!(item.to_string(), name);
        }
        for name in [
            "earn",
            "earn/",
            "takeover/presales/fax",
            "takeover/aftersales/phone",
            "something/else",
            "overdue/work_orders",
        ] {
            assert_eq!(name.parse::<LineItem>(), Err(UnknownItem), "{name}");
        }
    }
}
