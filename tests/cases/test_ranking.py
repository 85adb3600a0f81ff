"""The ranking arithmetic of the annual selection (SPEC §6.2), on its own: means over the supervisors who scored,
two decimals, the order and every tie-break rule, and the words saying which rule decided which place."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from cardops.cases.ranking import Nominee, describe_ties, rank, tie_notes, two_decimals

D = date(2026, 5, 1)


def nominee(case_id, *scores, occurred_on=D):
    return Nominee(case_id, occurred_on, tuple(scores))


def order(*nominees):
    return [r.nominee.case_id for r in rank(nominees)]


def test_means_are_over_the_supervisors_who_scored():
    (only,) = rank([nominee(1, (5, 4, 3), (4, 4, 4), (3, 5, 2))])
    assert only.scores_count == 3
    assert only.mean_typicality == 4 and only.mean_educational_value == Fraction(13, 3)
    assert only.mean_impact == 3 and only.mean_total == Fraction(34, 3)
    assert two_decimals(only.mean_total) == 11.33 and two_decimals(only.mean_educational_value) == 4.33


def test_two_decimals_round_half_up():
    assert two_decimals(Fraction(25, 2)) == 12.5
    assert two_decimals(Fraction(12125, 1000)) == 12.13  # a float would print 12.12
    assert two_decimals(Fraction(2, 3)) == 0.67
    assert two_decimals(None) is None


def test_order_by_mean_total_descending():
    assert order(nominee(1, (3, 3, 3)), nominee(2, (5, 5, 5)), nominee(3, (4, 4, 4))) == [2, 3, 1]
    assert [r.rank for r in rank([nominee(1, (3, 3, 3)), nominee(2, (5, 5, 5))])] == [1, 2]


def test_a_case_scored_by_fewer_supervisors_is_ranked_on_their_mean():
    # 13 from one supervisor beats 12.5 from two: the mean, not the sum, counts.
    assert order(nominee(1, (5, 4, 3), (4, 4, 5)), nominee(2, (5, 5, 3))) == [2, 1]


def test_tie_on_total_broken_by_educational_value():
    assert order(nominee(1, (5, 3, 4)), nominee(2, (4, 4, 4))) == [2, 1]


def test_tie_on_total_and_educational_value_broken_by_impact():
    assert order(nominee(1, (5, 4, 3)), nominee(2, (4, 4, 4))) == [2, 1]


def test_tie_on_every_mean_broken_by_the_earlier_date():
    later, earlier = nominee(1, (4, 4, 4), occurred_on=date(2026, 6, 1)), nominee(2, (4, 4, 4), occurred_on=D)
    assert order(later, earlier) == [2, 1]


def test_tie_on_everything_broken_by_the_lower_id():
    assert order(nominee(7, (4, 4, 4)), nominee(3, (4, 4, 4))) == [3, 7]


def test_means_compare_exactly_not_as_rounded():
    # 37/3 = 12.333… and 12.33 would look equal with two decimals; the exact means decide (no tie).
    a = nominee(1, (4, 4, 4), (4, 4, 4), (5, 4, 4))
    b = nominee(2, *([(4, 4, 4)] * 67 + [(5, 4, 4)] * 33))  # 1233/100 = 12.33
    ranking = rank([b, a])
    assert [r.nominee.case_id for r in ranking] == [1, 2]
    assert two_decimals(ranking[0].mean_total) == two_decimals(ranking[1].mean_total) == 12.33
    assert tie_notes(ranking) == []


def test_unscored_nominees_come_last():
    assert order(nominee(1), nominee(2, (1, 1, 1)), nominee(3)) == [2, 1, 3]
    last = rank([nominee(1)])[0]
    assert last.mean_total is None and last.scores_count == 0


# --- the tie-break in words ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("above", "below", "rule", "words"), [
    (nominee(2, (4, 4, 4)), nominee(1, (5, 3, 4)), "educational_value",
     "按“教育意义平均分较高者在前”排定（4.00 对 3.00）"),
    (nominee(2, (4, 4, 4)), nominee(1, (5, 4, 3)), "impact", "按“影响力平均分较高者在前”排定（4.00 对 3.00）"),
    (nominee(2, (4, 4, 4), occurred_on=D), nominee(1, (4, 4, 4), occurred_on=date(2026, 6, 1)), "occurred_on",
     "按“发生日期较早者在前”排定（2026-05-01 对 2026-06-01）"),
    (nominee(3, (4, 4, 4)), nominee(7, (4, 4, 4)), "id", "按“案例编号较小者在前”排定（#3 对 #7）"),
])
def test_each_rule_is_named_where_it_decided(above, below, rule, words):
    ranking = rank([below, above])
    (note,) = tie_notes(ranking)
    assert (note.place, note.rule) == (1, rule)
    text = describe_ties([note])
    assert text.startswith("第1名与第2名平均总分同为12.00") and words in text


def test_no_tie_no_words():
    ranking = rank([nominee(1, (5, 5, 5)), nominee(2, (4, 4, 4))])
    assert tie_notes(ranking) == [] and describe_ties([]) is None


def test_ties_are_reported_up_to_and_including_the_tenth_place_only():
    # Twelve nominees, all 12.00 on every mean, one date: ids decide every place.
    ranking = rank([nominee(i, (4, 4, 4)) for i in range(1, 13)])
    notes = tie_notes(ranking)
    assert [n.place for n in notes] == list(range(1, 11))  # 10th vs 11th decided the tenth; 11th vs 12th not told
    assert {n.rule for n in notes} == {"id"}
    assert "第10名与第11名" in describe_ties(notes) and "第11名" not in describe_ties(notes).split("第10名")[0]


def test_only_the_tied_places_are_told():
    ranking = rank([nominee(1, (5, 5, 5)), nominee(2, (4, 4, 4)), nominee(3, (5, 3, 4)), nominee(4, (1, 1, 1))])
    assert [r.nominee.case_id for r in ranking] == [1, 2, 3, 4]
    (note,) = tie_notes(ranking)
    assert (note.place, note.rule) == (2, "educational_value")
    assert describe_ties([note]).startswith("第2名与第3名")


def test_a_translator_gives_the_words_of_a_page():
    notes = tie_notes(rank([nominee(3, (4, 4, 4)), nominee(7, (4, 4, 4))]))
    seen = []
    describe_ties(notes, lambda message: seen.append(message) or message)
    assert any("%(place)s" in message for message in seen) and "案例编号较小者在前" in seen
