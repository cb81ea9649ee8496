//! The report's codes in words, shared by the HTML page and the terminal summary so that
//! both say the same thing.

use super::model::{Ended, HoldEnd, SwayAxis, WarningCode};
use crate::skeleton::Side;

/// A code or signal name as words: `hip_extension` → "hip extension".
pub fn words(code: &str) -> String {
    code.replace('_', " ")
}

/// "left", "right", or a dash for no side.
pub fn side_name(side: Option<Side>) -> &'static str {
    side.map_or("–", |s| s.name())
}

/// How the session ended, as a sentence.
pub fn ended_text(ended: Ended) -> &'static str {
    match ended {
        Ended::EndOfInput => "Ran to the end of the input",
        Ended::Interrupted => "Stopped early (interrupted); everything up to then was analysed",
        Ended::InputBroken => "The input broke off part-way; everything before was analysed",
        Ended::Killed => {
            "posecheck was killed before it could save; the report was rebuilt from its journal of the session"
        }
    }
}

/// How the session ended, as a note after the source's name (nothing when it ran to the end).
pub fn ended_note(ended: Ended) -> &'static str {
    match ended {
        Ended::EndOfInput => "",
        Ended::Interrupted => " (interrupted)",
        Ended::InputBroken => " (input broke off)",
        Ended::Killed => " (killed; recovered from its journal)",
    }
}

/// Why a hold ended.
pub fn hold_end_text(end: HoldEnd) -> &'static str {
    match end {
        HoldEnd::PositionLeft => "left the position",
        HoldEnd::FormBroken => "form broke",
        HoldEnd::LostSight => "body went out of sight",
        HoldEnd::SessionEnded => "session ended",
        HoldEnd::TouchDown => "the raised foot touched down",
        HoldEnd::Step => "stepped or hopped",
        HoldEnd::HeelsDropped => "the heels dropped",
        HoldEnd::HandsLeftWaist => "the hands left the waist",
        HoldEnd::TimeUp => "time was up",
    }
}

/// A warning's heading.
pub fn warning_title(code: WarningCode) -> &'static str {
    match code {
        WarningCode::NoPerson => "No one in view",
        WarningCode::PartialBody => "Body partly hidden",
        WarningCode::WrongView => "Wrong camera view",
        WarningCode::InputBroken => "Input broke off",
        WarningCode::RepUncertain => "A rep may have been missed",
        WarningCode::OtherPerson => "Someone else in view",
    }
}

/// The sway axis one camera sees, for people.
pub fn sway_axis_text(axis: SwayAxis) -> &'static str {
    match axis {
        SwayAxis::SideToSide => "side to side (filmed from the front)",
        SwayAxis::FrontToBack => "front to back (filmed from the side)",
        SwayAxis::Mixed => "both mixed (filmed at an angle)",
    }
}
