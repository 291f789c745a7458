//! The numbers behind every bar chart Lectern draws (poll bars, survey answers, the
//! report): counts turned into whole percentages a reader can add up.

use serde::{Deserialize, Serialize};

/// Each count's share of `of`, in whole percent, rounded so that when the counts add
/// up to `of` the percentages add up to exactly 100 (largest remainder: 1, 1, 1 reads
/// 34, 33, 33 rather than 33, 33, 33). Nothing counted gives zeros, never NaN.
///
/// `of` may exceed the counts' sum (several choices per person: each bar is a share of
/// the people who answered), and then the shares are simply rounded.
pub fn percents(counts: &[u32], of: u32) -> Vec<u32> {
    if of == 0 {
        return vec![0; counts.len()];
    }
    let of = u64::from(of);
    let exact: Vec<u64> = counts.iter().map(|&c| u64::from(c) * 100).collect();
    let mut shares: Vec<u32> = exact.iter().map(|e| (e / of) as u32).collect();
    let sum: u64 = counts.iter().map(|&c| u64::from(c)).sum();
    if sum != of {
        return exact.iter().map(|e| ((e + of / 2) / of) as u32).collect();
    }
    // Hand the points lost to rounding down to the largest remainders, earliest first.
    let missing = 100 - shares.iter().sum::<u32>();
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(exact[i] % of));
    for &i in order.iter().take(missing as usize) {
        shares[i] += 1;
    }
    shares
}

/// One bar of a chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bar {
    pub label: String,
    pub count: u32,
    pub percent: u32,
}

/// A chart of counts: what was asked, one bar per choice, and how many answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BarChart {
    pub title: String,
    pub bars: Vec<Bar>,
    /// People who answered (the base of the percentages).
    pub answered: u32,
    /// Whether one person may count in several bars (the percentages then add up to more than 100).
    pub several: bool,
}

impl BarChart {
    /// Bars for `labels` with their `counts` (matched by position), as shares of `answered`.
    pub fn new(
        title: impl Into<String>,
        labels: &[String],
        counts: &[u32],
        answered: u32,
        several: bool,
    ) -> Self {
        let percents = percents(counts, answered);
        Self {
            title: title.into(),
            bars: labels
                .iter()
                .zip(counts.iter().zip(percents))
                .map(|(label, (&count, percent))| Bar {
                    label: label.clone(),
                    count,
                    percent,
                })
                .collect(),
            answered,
            several,
        }
    }

    /// The bar with the most answers (the first of a tie), if anyone answered.
    pub fn leader(&self) -> Option<&Bar> {
        self.bars
            .iter()
            .rev()
            .max_by_key(|b| b.count)
            .filter(|b| b.count > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_choice_percentages_add_up_to_one_hundred() {
        assert_eq!(percents(&[1, 1, 1], 3), vec![34, 33, 33]);
        assert_eq!(percents(&[2, 1], 3), vec![67, 33]);
        // The seed's pace answer: 70 % just right, 26 % too fast, 4 % too slow.
        assert_eq!(percents(&[4, 70, 26], 100), vec![4, 70, 26]);
        for counts in [[1, 2, 4], [5, 5, 1], [1, 0, 6], [33, 33, 34], [1, 1, 5]] {
            let total = counts.iter().sum();
            assert_eq!(
                percents(&counts, total).iter().sum::<u32>(),
                100,
                "{counts:?}"
            );
        }
    }

    #[test]
    fn empty_results_are_zeros_not_errors() {
        assert_eq!(percents(&[0, 0], 0), vec![0, 0]);
        assert_eq!(percents(&[], 0), Vec::<u32>::new());
        let chart = BarChart::new(
            "Pace?",
            &["Too fast".into(), "Too slow".into()],
            &[0, 0],
            0,
            false,
        );
        assert_eq!(chart.bars[0].percent, 0);
        assert_eq!(chart.leader(), None);
    }

    #[test]
    fn several_choices_are_shares_of_the_people_who_answered() {
        // Four people; three liked section A, two liked B.
        assert_eq!(percents(&[3, 2], 4), vec![75, 50]);
        let chart = BarChart::new("Best?", &["A".into(), "B".into()], &[3, 2], 4, true);
        assert_eq!(chart.leader().map(|b| b.label.as_str()), Some("A"));
    }

    #[test]
    fn the_leader_of_a_tie_is_the_first_bar() {
        let chart = BarChart::new("?", &["Yes".into(), "No".into()], &[2, 2], 4, false);
        assert_eq!(chart.leader().map(|b| b.label.as_str()), Some("Yes"));
    }
}
