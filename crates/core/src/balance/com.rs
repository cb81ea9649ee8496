//! The body's centre of mass from 2-D keypoints, with a published segment model.
//!
//! Segment masses (as fractions of the body mass) and the position of each segment's centre of
//! mass along it (from its proximal end) are Dempster's (1955) cadaver data as tabulated by
//! D. A. Winter, *Biomechanics and Motor Control of Human Movement*, 4th ed., Wiley 2009,
//! Table 4.1. The BlazePose landmarks stand in for Winter's end points: the hip landmark for
//! the greater trochanter, the shoulder for the glenohumeral joint, the midpoint of the ears
//! for the ear canal (the head-and-neck centre of mass sits at 1.000 of the C7-to-ear segment),
//! the index-finger landmark for the knuckle.

use crate::geometry::Vec2;
use crate::pose::Pose;
use crate::skeleton::{Joint, Part, Side};

/// A body point a segment ends at.
#[derive(Clone, Copy)]
pub enum End {
    /// A sided part, on the segment's side.
    Part(Part),
    /// The index-finger landmark, on the segment's side (not a part templates name).
    Index,
    /// Midpoint of the left and right landmarks of a part.
    Mid(Part),
}

/// One segment of Winter's Table 4.1.
pub struct Segment {
    pub proximal: End,
    pub distal: End,
    /// Mass as a fraction of the body's.
    pub mass: f32,
    /// Centre of mass from the proximal end, as a fraction of the segment's length.
    pub com: f32,
    /// One per side (`true`) or a single central segment.
    pub sided: bool,
    /// Must be seen: the legs and trunk (84 % of the mass) carry the sway. The arms, hands
    /// and head are taken as the model estimates them when not seen well (hands holding
    /// weights read 0.1-0.5 visibility on skatefit_single_leg_balance_hold): 18 % of the mass
    /// in small, slow movements, against no measurement at all.
    pub needs_seen: bool,
}

/// The segment table, public so that the renderer's ground truth (`posecheck-render`) computes
/// its true centre of mass with the same model the sway is measured with.
pub const SEGMENTS: [Segment; 8] = [
    // hand: wrist axis to knuckle II of the middle finger
    Segment {
        proximal: End::Part(Part::Wrist),
        distal: End::Index,
        mass: 0.006,
        com: 0.506,
        sided: true,
        needs_seen: false,
    },
    // forearm: elbow axis to ulnar styloid
    Segment {
        proximal: End::Part(Part::Elbow),
        distal: End::Part(Part::Wrist),
        mass: 0.016,
        com: 0.430,
        sided: true,
        needs_seen: false,
    },
    // upper arm: glenohumeral axis to elbow axis
    Segment {
        proximal: End::Part(Part::Shoulder),
        distal: End::Part(Part::Elbow),
        mass: 0.028,
        com: 0.436,
        sided: true,
        needs_seen: false,
    },
    // foot: lateral malleolus to head of metatarsal II
    Segment {
        proximal: End::Part(Part::Ankle),
        distal: End::Part(Part::FootIndex),
        mass: 0.0145,
        com: 0.50,
        sided: true,
        needs_seen: true,
    },
    // leg: femoral condyles to medial malleolus
    Segment {
        proximal: End::Part(Part::Knee),
        distal: End::Part(Part::Ankle),
        mass: 0.0465,
        com: 0.433,
        sided: true,
        needs_seen: true,
    },
    // thigh: greater trochanter to femoral condyles
    Segment {
        proximal: End::Part(Part::Hip),
        distal: End::Part(Part::Knee),
        mass: 0.100,
        com: 0.433,
        sided: true,
        needs_seen: true,
    },
    // trunk: greater trochanter to glenohumeral joint
    Segment {
        proximal: End::Mid(Part::Hip),
        distal: End::Mid(Part::Shoulder),
        mass: 0.497,
        com: 0.50,
        sided: false,
        needs_seen: true,
    },
    // head and neck: C7-T1 (between the shoulders) to the ear canal
    Segment {
        proximal: End::Mid(Part::Shoulder),
        distal: End::Mid(Part::Ear),
        mass: 0.081,
        com: 1.000,
        sided: false,
        needs_seen: false,
    },
];

/// Shoulder height above the ankle as a fraction of the body height (Winter 2009, Fig. 4.1,
/// after Drillis and Contini: shoulder 0.818 H, ankle 0.039 H).
pub const SHOULDER_ABOVE_ANKLE: f32 = 0.818 - 0.039;

/// The centre of mass in the picture, pixels; `None` unless the legs and trunk were seen
/// (`seen` by joint index): a guess for a leg out of view would be sway that is not there.
/// A leg hidden behind the other may count as seen (the sway recorder passes the landmarks
/// behind their twins).
pub fn centre_of_mass(pose: &Pose, seen: &[bool]) -> Option<Vec2> {
    let all = [true; crate::skeleton::JOINT_COUNT];
    let at = |end: End, side: Side, needs_seen: bool| -> Option<Vec2> {
        let seen = if needs_seen { seen } else { &all[..] };
        let joint = |j: Joint| seen[j.index()].then(|| pose.pos(j));
        match end {
            End::Part(p) => joint(p.joint(side)),
            End::Index => joint(match side {
                Side::Left => Joint::LeftIndex,
                Side::Right => Joint::RightIndex,
            }),
            End::Mid(p) => Some(joint(p.joint(Side::Left))?.midpoint(joint(p.joint(Side::Right))?)),
        }
    };
    let mut sum = Vec2::default();
    let mut mass = 0.0;
    for s in &SEGMENTS {
        let sides: &[Side] = if s.sided {
            &[Side::Left, Side::Right]
        } else {
            &[Side::Left]
        };
        for &side in sides {
            let (a, b) = (
                at(s.proximal, side, s.needs_seen)?,
                at(s.distal, side, s.needs_seen)?,
            );
            let c = a + (b - a) * s.com;
            sum = sum + c * s.mass;
            mass += s.mass;
        }
    }
    Some(sum * (1.0 / mass))
}

/// The body's height in pixels, from the shoulders' height above the lower ankle (the standing
/// foot), square to the picture's rows.
pub fn body_height_px(pose: &Pose, seen: &[bool]) -> Option<f32> {
    let y = |j: Joint| seen[j.index()].then(|| pose.pos(j).y);
    let shoulders = (y(Joint::LeftShoulder)? + y(Joint::RightShoulder)?) / 2.0;
    let ankle = y(Joint::LeftAnkle)?.max(y(Joint::RightAnkle)?);
    let h = (ankle - shoulders) / SHOULDER_ABOVE_ANKLE;
    (h > 0.0).then_some(h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::Keypoint;

    /// A figure standing in the picture, arms hanging: feet at y = 1000, 100 px per decimetre.
    fn standing() -> Pose {
        let mut p = Pose::default();
        let mut put = |j: Joint, x: f32, y: f32| {
            p.keypoints[j.index()] = Keypoint {
                x,
                y,
                z: 0.0,
                visibility: 1.0,
            };
        };
        for (side, dx) in [(Side::Left, 20.0), (Side::Right, -20.0)] {
            let x = 500.0 + dx;
            put(Part::Shoulder.joint(side), x, 1000.0 - 0.818 * 1700.0);
            put(Part::Elbow.joint(side), x, 1000.0 - 0.630 * 1700.0);
            put(Part::Wrist.joint(side), x, 1000.0 - 0.485 * 1700.0);
            let index = match side {
                Side::Left => Joint::LeftIndex,
                Side::Right => Joint::RightIndex,
            };
            put(index, x, 1000.0 - 0.40 * 1700.0);
            put(Part::Hip.joint(side), x, 1000.0 - 0.530 * 1700.0);
            put(Part::Knee.joint(side), x, 1000.0 - 0.285 * 1700.0);
            put(Part::Ankle.joint(side), x, 1000.0 - 0.039 * 1700.0);
            put(Part::FootIndex.joint(side), x + 30.0, 1000.0);
            put(Part::Ear.joint(side), x, 1000.0 - 0.93 * 1700.0);
        }
        p
    }

    #[test]
    fn a_standing_body_has_its_centre_of_mass_near_the_hips() {
        let pose = standing();
        let seen = [true; crate::skeleton::JOINT_COUNT];
        let c = centre_of_mass(&pose, &seen).unwrap();
        // Standing, the centre of mass is at about 55-57 % of the height (Winter 2009): a
        // little above the hip landmark (53 %).
        let height = (1000.0 - c.y) / 1700.0;
        assert!((0.54..0.59).contains(&height), "{height}");
        assert!(
            (c.x - 500.0 - 30.0 * 0.0145 * 2.0 * 0.5).abs() < 1.0,
            "{}",
            c.x
        );
        let h = body_height_px(&pose, &seen).unwrap();
        assert!((h - 1700.0).abs() < 1.0, "{h}");
        // A hidden knee gives no centre of mass rather than a wrong one; a hidden wrist is
        // taken as the model placed it.
        let mut hidden = seen;
        hidden[Joint::LeftWrist.index()] = false;
        assert_eq!(centre_of_mass(&pose, &hidden), Some(c));
        hidden[Joint::LeftKnee.index()] = false;
        assert_eq!(centre_of_mass(&pose, &hidden), None);
    }
}
