//! Checks a draft against a network's rules. The composer calls it on every change for live
//! feedback and the publisher calls it again just before sending, so both say the same thing:
//! what fails here would fail at the network, and what passes here should pass there.

use std::borrow::Cow;

use crate::count::{Counting, Length, count};
use crate::draft::{Draft, MediaInfo, MediaKind};
use crate::entities::{EntityKind, entities, hashtag_count};
use crate::network::ComposeNetwork;
use crate::options::Options;
use crate::problem::{Field, Problem, ProblemCode};
use crate::rules::{FirstComment, LinkPlacement, MediaRequirement, NetworkRules, rules};

/// The length of `text` as `network` counts it, with its limit: the composer's live counter.
/// Pass [`composed_text`] to count the link the publisher appends on some networks.
pub fn length(network: ComposeNetwork, text: &str, options: &Options) -> Length {
    let rule = rules(network, options).text;
    Length {
        used: count(rule.counting, text, rule.url_length),
        limit: rule.limit,
    }
}

/// The length of a title, for the networks that have one.
pub fn title_length(network: ComposeNetwork, title: &str, options: &Options) -> Option<Length> {
    let rule = rules(network, options).title?;
    Some(Length {
        used: title.chars().count(),
        limit: Some(rule.limit),
    })
}

/// The text as it will be sent: on networks that only preview links written in the text
/// ([`LinkPlacement::InText`]) the draft's link is appended after a blank line, unless the text
/// already contains it. The publisher must send exactly this text.
pub fn composed_text(network: ComposeNetwork, draft: &Draft) -> Cow<'_, str> {
    let placement = rules(network, &Options::default()).link.placement;
    let link = draft
        .link
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty());
    match link {
        Some(link) if placement == LinkPlacement::InText && !draft.text.contains(link) => {
            let text = draft.text.trim_end();
            if text.is_empty() {
                Cow::Owned(link.to_owned())
            } else {
                Cow::Owned(format!("{text}\n\n{link}"))
            }
        }
        _ => Cow::Borrowed(&draft.text),
    }
}

/// Every problem `draft` has on `network`, errors and warnings, in the order of the form (title,
/// text, media, link, first comment).
pub fn validate(network: ComposeNetwork, draft: &Draft, options: &Options) -> Vec<Problem> {
    let rules = rules(network, options);
    let mut problems = Vec::new();
    check_title(&rules, draft, &mut problems);
    check_text(&rules, draft, &mut problems);
    check_media(&rules, &draft.media, &mut problems);
    check_link(&rules, draft, &mut problems);
    check_first_comment(&rules, draft, &mut problems);
    problems
}

fn is_blank(text: Option<&str>) -> bool {
    text.is_none_or(|t| t.trim().is_empty())
}

fn check_title(rules: &NetworkRules, draft: &Draft, problems: &mut Vec<Problem>) {
    let Some(rule) = &rules.title else {
        return;
    };
    let title = draft.title.as_deref().unwrap_or_default();
    if rule.required && title.trim().is_empty() {
        problems.push(Problem::new(ProblemCode::TitleRequired, Field::Title));
    }
    let used = title.chars().count();
    if used > rule.limit {
        problems
            .push(Problem::new(ProblemCode::TitleTooLong, Field::Title).figures(rule.limit, used));
    }
    if title.contains(rule.forbidden) {
        problems.push(Problem::new(ProblemCode::ForbiddenCharacter, Field::Title));
    }
}

fn check_text(rules: &NetworkRules, draft: &Draft, problems: &mut Vec<Problem>) {
    let rule = &rules.text;
    let text = composed_text(rules.network, draft);
    if text.trim().is_empty() {
        // An empty text is fine beside media or a link card, except where a body is required;
        // where media are required, the missing media say it better.
        let has_attachment = !draft.media.is_empty()
            || (rules.link.placement == LinkPlacement::Attachment
                && !is_blank(draft.link.as_deref()));
        if rule.required || (rules.media.required == MediaRequirement::None && !has_attachment) {
            problems.push(Problem::new(ProblemCode::TextRequired, Field::Text));
        }
    }
    if let Some(limit) = rule.limit {
        let used = count(rule.counting, &text, rule.url_length);
        if used > limit {
            problems.push(Problem::new(ProblemCode::TextTooLong, Field::Text).figures(limit, used));
        }
    }
    if text.contains(rule.forbidden) {
        problems.push(Problem::new(ProblemCode::ForbiddenCharacter, Field::Text));
    }
    if let Some(limit) = rules.max_hashtags {
        let used = hashtag_count(&text);
        if used > limit {
            problems
                .push(Problem::new(ProblemCode::TooManyHashtags, Field::Text).figures(limit, used));
        }
    }
}

fn check_media(rules: &NetworkRules, media: &[MediaInfo], problems: &mut Vec<Problem>) {
    let rule = &rules.media;
    let images = media.iter().filter(|m| m.kind == MediaKind::Image).count();
    let videos = media.len() - images;
    let missing = match rule.required {
        MediaRequirement::None => None,
        MediaRequirement::ImageOrVideo => media.is_empty().then_some(ProblemCode::MediaRequired),
        MediaRequirement::Image => (images == 0).then_some(ProblemCode::ImageRequired),
        MediaRequirement::Video => (videos == 0).then_some(ProblemCode::VideoRequired),
    };
    if let Some(code) = missing {
        problems.push(Problem::new(code, Field::Media));
    }
    for (code, limit, used) in [
        (ProblemCode::TooManyMedia, rule.max_items, media.len()),
        (ProblemCode::TooManyImages, rule.max_images, images),
        (ProblemCode::TooManyVideos, rule.max_videos, videos),
    ] {
        if let Some(limit) = limit.filter(|limit| used > *limit) {
            problems.push(Problem::new(code, Field::Media).figures(limit, used));
        }
    }
    if !rule.mixed && images > 0 && videos > 0 {
        problems.push(Problem::new(ProblemCode::MixedMedia, Field::Media));
    }
    for (index, item) in media.iter().enumerate() {
        check_item(rules, index, item, problems);
    }
}

fn check_item(rules: &NetworkRules, index: usize, item: &MediaInfo, problems: &mut Vec<Problem>) {
    let rule = &rules.media;
    let mime = item.normalized_mime();
    let push = |problems: &mut Vec<Problem>, problem: Problem| problems.push(problem.media(index));
    let (accepted, max_bytes, too_big, alt_taken, alt_max) = match item.kind {
        MediaKind::Image => (
            rule.image.accepts(&mime),
            if mime == "image/gif" {
                rule.image.gif_max_bytes.or(rule.image.max_bytes)
            } else {
                rule.image.max_bytes
            },
            ProblemCode::ImageTooBig,
            rule.alt_text.images,
            rule.alt_text.max_image,
        ),
        MediaKind::Video => (
            rule.video.accepts(&mime),
            rule.video.max_bytes,
            ProblemCode::VideoTooBig,
            rule.alt_text.videos,
            rule.alt_text.max_video,
        ),
    };
    let allowed = match item.kind {
        MediaKind::Image => rule.max_images,
        MediaKind::Video => rule.max_videos,
    };
    // A kind the network does not take at all is reported once, as too many of that kind.
    if allowed == Some(0) {
        return;
    }
    if !accepted {
        push(
            problems,
            Problem::new(ProblemCode::UnsupportedFormat, Field::Media),
        );
    }
    if let Some(max) = max_bytes.filter(|max| item.bytes > *max) {
        push(
            problems,
            Problem::new(too_big, Field::Media).figures(max, item.bytes),
        );
    }
    if item.kind == MediaKind::Video {
        check_duration(rules, index, item, problems);
    }
    if alt_taken {
        if item.alt.trim().is_empty() {
            push(
                problems,
                Problem::new(ProblemCode::AltTextMissing, Field::Media),
            );
        } else if let Some(max) = alt_max {
            let used = count(rule.alt_text.counting, &item.alt, 0);
            if used > max {
                push(
                    problems,
                    Problem::new(ProblemCode::AltTextTooLong, Field::Media).figures(max, used),
                );
            }
        }
    }
}

fn check_duration(
    rules: &NetworkRules,
    index: usize,
    item: &MediaInfo,
    problems: &mut Vec<Problem>,
) {
    let Some(secs) = item.duration_secs.filter(|s| s.is_finite()) else {
        return;
    };
    let video = &rules.media.video;
    // Whole seconds for the message: rounded away from the limit so "141 s > 140 s" never reads
    // "140 s > 140 s".
    let whole = |s: f64, up: bool| {
        let rounded = if up { s.ceil() } else { s.floor() };
        // Durations are small positive numbers; the cast saturates anyway.
        #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let whole = rounded.max(0.0) as u64;
        whole
    };
    if let Some(max) = video.max_secs.filter(|max| secs > *max) {
        problems.push(
            Problem::new(ProblemCode::VideoTooLong, Field::Media)
                .figures(whole(max, false), whole(secs, true))
                .media(index),
        );
    }
    if let Some(min) = video.min_secs.filter(|min| secs < *min) {
        problems.push(
            Problem::new(ProblemCode::VideoTooShort, Field::Media)
                .figures(whole(min, true), whole(secs, false))
                .media(index),
        );
    }
}

fn check_link(rules: &NetworkRules, draft: &Draft, problems: &mut Vec<Problem>) {
    let link = draft
        .link
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty());
    let Some(link) = link else {
        if rules.link.required {
            problems.push(Problem::new(ProblemCode::LinkRequired, Field::Link));
        }
        return;
    };
    if !is_web_link(link) {
        problems.push(Problem::new(ProblemCode::LinkInvalid, Field::Link));
    }
    if rules.link.placement == LinkPlacement::Unsupported {
        problems.push(Problem::new(ProblemCode::LinkIgnored, Field::Link));
    } else if rules.link.preview && !draft.media.is_empty() {
        problems.push(Problem::new(ProblemCode::LinkPreviewHidden, Field::Link));
    }
}

/// Whether `link` is one whole `http://` or `https://` address.
fn is_web_link(link: &str) -> bool {
    matches!(
        entities(link).as_slice(),
        [entity] if entity.kind == EntityKind::Url && entity.start == 0 && entity.end == link.len()
    )
}

fn check_first_comment(rules: &NetworkRules, draft: &Draft, problems: &mut Vec<Problem>) {
    let Some(comment) = draft
        .first_comment
        .as_deref()
        .filter(|c| !c.trim().is_empty())
    else {
        return;
    };
    let (limit, used) = match rules.first_comment {
        FirstComment::Unsupported => {
            problems.push(Problem::new(
                ProblemCode::FirstCommentUnsupported,
                Field::FirstComment,
            ));
            return;
        }
        FirstComment::SelfReply => (
            rules.text.limit,
            count(rules.text.counting, comment, rules.text.url_length),
        ),
        FirstComment::Native { limit } => (limit, count(Counting::Chars, comment, 0)),
    };
    if let Some(limit) = limit.filter(|limit| used > *limit) {
        problems.push(
            Problem::new(ProblemCode::FirstCommentTooLong, Field::FirstComment)
                .figures(limit, used),
        );
    }
}
