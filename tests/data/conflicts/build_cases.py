"""Builds cases.jsonl: each base is a real MultiHop-RAG paragraph (lightly trimmed),
and two cases are made from it: a copy from another outlet edited to disagree on one
value (conflict) and a reworded copy that keeps every value, often in another format
or with an unrelated extra number (agreement).

    .venv/bin/python tests/data/conflicts/build_cases.py
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[2].parent / "shared" / "eval" / "multihop" / "corpus.jsonl"
OUTLETS = [
    "Reuters", "Associated Press", "Bloomberg", "BBC News", "Axios", "CNN",
    "The Washington Post", "Sky News", "NBC News", "Al Jazeera", "The Times", "AFP",
]  # fmt: skip

# (corpus id, question, paragraph, conflict edits, expected values, agreement edits)
BASES = [
    ("mhr-a010", "How much did FTX raise in its Series C round in January 2022?",
     "Within two years, more than 80 investors provided about $2 billion in capital to FTX, helping Bankman-Fried propel his vision into a reality. In January 2022, the company raised $400 million in a Series C round, boosting its valuation to $32 billion. That was its last round of public funding.",
     [("raised $400 million", "raised $420 million")], ["$400 million", "$420 million"],
     [("raised $400 million in a Series C round", "closed a $400m Series C round"), ("That was its last round of public funding.", "No public funding round followed. The exchange had 1.2 million users at the time.")]),
    ("mhr-a009", "How much did Paradigm invest in FTX?",
     "Thursday also brought in testimony from Matt Huang, co-founder and managing partner at crypto investment firm Paradigm. That firm invested $278 million in FTX across 2021 and 2022, and is part of a class-action lawsuit accusing it and others of defrauding customers by promoting FTX. Huang said the firm relied on what FTX told it.",
     [("$278 million", "$287 million")], ["$278 million", "$287 million"],
     [("That firm invested $278 million in FTX across 2021 and 2022", "Paradigm put US$278m into FTX over 2021 and 2022")]),
    ("mhr-a050", "How many jobs did Electronic Arts cut in 2023?",
     "Electronic Arts was one of the first video game companies to institute significant layoffs this year, with a reduction of 6 percent of its workforce, or about 800 employees, in March. EA later cut jobs at Dirt and F1 studio Codemasters, which it purchased in 2021 for $1.2 billion. EA culled an estimated 1,130 jobs in 2023.",
     [("1,130 jobs", "1,500 jobs")], ["1,130 jobs", "1,500 jobs"],
     [("EA culled an estimated 1,130 jobs in 2023.", "In all, an estimated 1,130 jobs went at EA in 2023."), ("for $1.2 billion", "for $1,200 million")]),
    ("mhr-a050", "What share of its workforce did Electronic Arts lay off in March?",
     "Electronic Arts was one of the first video game companies to institute significant layoffs this year, with a reduction of 6 percent of its workforce, or about 800 employees, in March. EA later cut jobs at Dirt and F1 studio Codemasters. The publisher said the cuts would save money.",
     [("6 percent", "8 percent")], ["6 percent", "8 percent"],
     [("a reduction of 6 percent of its workforce", "cutting 6% of its workforce"), ("The publisher said the cuts would save money.", "The publisher said the cuts would save money, and its shares rose 2% that week.")]),
    ("mhr-a035", "What is New Orleans' record against Jacksonville?",
     "The Saints have had the Jaguars number historically. In seven matchups between the two franchises, New Orleans owns a record of 5-2 over Jacksonville, and are currently on a four-game winning streak. The last time these two squads met was in 2019, with the Saints winning a defensive battle 13-9 over the Jaguars.",
     [("a record of 5-2 over", "a record of 4-3 over")], ["5-2", "4-3"],
     [("New Orleans owns a record of 5-2 over Jacksonville", "the Saints are 5-2 against Jacksonville")]),
    ("mhr-a035", "When did the Saints and Jaguars last meet?",
     "The Saints have had the Jaguars number historically. In seven matchups between the two franchises, New Orleans owns a record of 5-2 over Jacksonville. The last time these two squads met was in 2019, with the Saints winning a defensive battle 13-9 over the Jaguars.",
     [("met was in 2019", "met was in 2015")], ["2019", "2015"],
     [("The last time these two squads met was in 2019, with the Saints winning a defensive battle 13-9 over the Jaguars.", "The two squads last met in 2019, when the Saints won a defensive battle over the Jaguars 13-9.")]),
    ("mhr-a059", "What was the final score of the Chiefs game against the Bears?",
     "Swift took Kelce up on his offer and attended the Chiefs' Week 3 game against the Chicago Bears. She was especially thrilled to see Kelce get in the end zone, a three-yard catch that put the Chiefs up 41-0. Kansas City went on to win 41-10 to improve to 2-1.",
     [("went on to win 41-10", "went on to win 41-13")], ["41-10", "41-13"],
     [("Kansas City went on to win 41-10 to improve to 2-1.", "The Chiefs beat the Bears 41-10 and improved to 2-1. Attendance was 73,000 fans.")]),
    ("mhr-a018", "How many years had Jada Pinkett Smith and Will Smith been separated?",
     "The Girls Trip star, 52, shared in a new interview with People published on 11 October that she and the King Richard actor, 55, are still figuring it out when it comes to their marriage of 26 years. She explained that at the time of the 2022 Academy Awards, when Will slapped Chris Rock, they had been separated for six years. She is promoting her memoir.",
     [("separated for six years", "separated for seven years")], ["six years", "seven years"],
     [("they had been separated for six years", "the pair had already been separated for six years"), ("published on 11 October", "published on October 11")]),
    ("mhr-a036", "When did Jada Pinkett Smith give her interview to People?",
     "In an interview with People on 10 October, Jada shared that during the 2022 Academy Awards the pair had actually been separated for six years. She was promoting her new memoir, Worthy. She said they are going to figure out what that looks like for them.",
     [("on 10 October", "on 12 October")], ["10 October", "12 October"],
     [("In an interview with People on 10 October, Jada shared", "Jada told People on Oct. 10")]),
    ("mhr-a024", "How large could a DSA fine against X be?",
     "Non-compliance under DSA rules could trigger fines of up to 6% of annual turnover, plus potential blocking of a service for repeated infringements. X owner Elon Musk last projected revenues of about $3 billion for this year. As an example, that would result in a fine of up to $180 million.",
     [("fines of up to 6% of annual turnover", "fines of up to 10% of annual turnover")], ["6%", "10%"],
     [("fines of up to 6% of annual turnover", "fines as high as 6 per cent of annual turnover"), ("a fine of up to $180 million", "a fine of up to $180m")]),
    ("mhr-a214", "How much did the firm make from microtransactions in 2022?",
     "According to Statista, the firm raked in $5.89bn in 2022 from microtransactions, downloadable content and royalties. That is more than three times the $1.6bn it made from selling the games themselves. The company did not comment on the figures.",
     [("$5.89bn", "$4.89bn")], ["$5.89bn", "$4.89bn"],
     [("the firm raked in $5.89bn in 2022", "the firm earned $5.89 billion in 2022"), ("The company did not comment on the figures.", "The company, which employs 9,800 people, did not comment.")]),
    ("mhr-a215", "What net income did the company report for the quarter ended August 31?",
     "The company's reported net income for the three-month period that ended August 31 was $1.45 billion, or 94 cents per share. That compares with $1.47 billion, or 93 cents per share, a year earlier. Revenue came in ahead of analysts' estimates.",
     [("was $1.45 billion", "was $1.65 billion")], ["$1.45 billion", "$1.65 billion"],
     [("The company's reported net income for the three-month period that ended August 31 was $1.45 billion", "For the quarter that ended on Aug. 31, net income came to $1,450 million")]),
    ("mhr-a112", "What was the median U.S. home sales price when Volcker became Fed chair?",
     "At the start of Volcker's term as Fed chair in August 1979, the median U.S. home sales price was $64,700. Even after a near doubling of mortgage rates, that figure rose to $69,400 by the second quarter of 1981. Economists still study the episode.",
     [("price was $64,700", "price was $62,900")], ["$64,700", "$62,900"],
     [("At the start of Volcker's term as Fed chair in August 1979, the median U.S. home sales price was $64,700.", "The median U.S. home sales price stood at $64.7 thousand when Volcker became Fed chair in August 1979.")]),
    ("mhr-a118", "How much salary will he make next year?",
     "He'll make a $13M salary next year, the final guaranteed season of his contract. He's guaranteed a $3M buyout on a $16.5M club option for 2025. The deal also contains an $18.5M team option for the 2026 campaign.",
     [("a $13M salary", "a $15M salary")], ["$13M", "$15M"],
     [("He'll make a $13M salary next year", "His salary next year will be $13 million")]),
    ("mhr-a156", "How much is the Rogers family's controlling stake worth?",
     "Rogers Communications is the country's largest wireless provider and the owner of the Toronto Blue Jays baseball team. The family's controlling stake in the public company is worth close to C$8 billion, according to calculations based on company filings. The documents show the fractures inside the family have never healed.",
     [("close to C$8 billion", "close to C$10 billion")], ["C$8 billion", "C$10 billion"],
     [("is worth close to C$8 billion", "is worth about C$8bn")]),
    ("mhr-a065", "How many flu deaths did the CDC estimate in the 2021-2022 season?",
     "During the 2021-2022 influenza season, the Centers for Disease Control and Prevention estimates that there were nine million illnesses and four million medical visits related to the flu. The CDC also estimates 10,000 hospitalizations and 5,000 deaths. Doctors urge people to get vaccinated.",
     [("5,000 deaths", "8,000 deaths")], ["5,000 deaths", "8,000 deaths"],
     [("The CDC also estimates 10,000 hospitalizations and 5,000 deaths.", "The CDC puts the flu deaths that season at 5,000, with 10,000 hospitalizations.")]),
    ("mhr-a138", "What share of young workers are too distraught by the news to function at work?",
     "It's no wonder that 46% of young workers ages 18 to 26 say that they are regularly so distraught over the news that they are unable to function at work, according to a 2023 Edelman report. By comparison, 38% of millennials say the same. Employers are taking note.",
     [("46% of young workers", "56% of young workers")], ["46%", "56%"],
     [("It's no wonder that 46% of young workers", "According to the report, 46 per cent of young workers"), ("Employers are taking note.", "Employers are taking note, with 3 in 10 offering mental health days.")]),
    ("mhr-a131", "What share of the U.S. cranberry harvest does Wisconsin produce?",
     "Today, Wisconsin produces roughly 60% of the U.S. cranberry harvest, followed by Massachusetts, Oregon, and New Jersey. Cranberries also are grown in Canada, where they are a major fruit crop. Harvest begins in late September.",
     [("roughly 60%", "roughly 40%")], ["60%", "40%"],
     [("Wisconsin produces roughly 60% of the U.S. cranberry harvest", "about 60 percent of the U.S. cranberry harvest comes from Wisconsin")]),
    ("mhr-a182", "How much has the Topix risen this year?",
     "Topix, Japan's main stock index, has risen more than 25 per cent this year, outperforming almost all the world's developed market indices. Some conference attendees admit it is creating a fear of missing out. The rally may have further to go.",
     [("more than 25 per cent", "more than 15 per cent")], ["25 per cent", "15 per cent"],
     [("has risen more than 25 per cent this year", "is up over 25% so far this year")]),
    ("mhr-a227", "When did Robin Williams die?",
     "In the years before his death, the actor was unaware he was dealing with Lewy body dementia. Williams reportedly appeared tired while on set and did not seem to be his usual self. He died by suicide on Aug. 11, 2014.",
     [("on Aug. 11, 2014", "on Aug. 12, 2014")], ["Aug. 11, 2014", "Aug. 12, 2014"],
     [("He died by suicide on Aug. 11, 2014.", "Williams died by suicide on 11 August 2014.")]),
    ("mhr-a222", "When will the older AirPods Pro be on sale for $169 at Walmart?",
     "The new AirPods Pro come with a USB-C charging case and a higher IP54 dust-resistance rating. If you don't care about the updated charging port, the older Lightning version will be on sale for $169 at Walmart on November 22. We gave that version a review score of 88 last year.",
     [("on November 22", "on November 24")], ["November 22", "November 24"],
     [("the older Lightning version will be on sale for $169 at Walmart on November 22", "Walmart will sell the older Lightning version for $169 on Nov. 22")]),
    ("mhr-a099", "How many monthly active users did ChatGPT reach two months after its debut?",
     "Over the course of two months from its debut in November 2022, ChatGPT exploded in popularity, from niche online curio to 100 million monthly active users. That was the fastest user base growth in the history of the Internet. It has since earned the backing of Silicon Valley's biggest firms.",
     [("100 million monthly active users", "180 million monthly active users")], ["100 million", "180 million"],
     [("from niche online curio to 100 million monthly active users", "reaching 100,000,000 monthly active users")]),
    ("mhr-a011", "How much funding had IronNet raised?",
     "IronNet, a once-promising cybersecurity startup founded by a former NSA director, has shuttered and laid off its remaining staff. The Virginia-based IronNet was founded in 2014 by retired general Keith Alexander and had raised more than $400 million in funding. It went public in August 2021.",
     [("more than $400 million in funding", "more than $250 million in funding")], ["$400 million", "$250 million"],
     [("had raised more than $400 million in funding", "had raised over $400m in funding")]),
    ("mhr-a011", "When was IronNet founded?",
     "IronNet, a once-promising cybersecurity startup founded by a former NSA director, has shuttered and laid off its remaining staff. The Virginia-based IronNet was founded in 2014 by retired general Keith Alexander. Its stock price declined steeply after it went public.",
     [("founded in 2014", "founded in 2012")], ["2014", "2012"],
     [("The Virginia-based IronNet was founded in 2014 by retired general Keith Alexander.", "Retired general Keith Alexander founded the Virginia company IronNet in 2014, and it had about 200 staff.")]),
    ("mhr-a007", "How many people did MLB investigate in the Astros sign-stealing case?",
     "MLB tried to curb the situation as best as it could. In two months, the league investigated 68 people, including 23 Astros players, and collected more than 76,000 emails, according to The Athletic. MLB suspended the GM and the manager for the 2020 season.",
     [("investigated 68 people", "investigated 86 people")], ["68 people", "86 people"],
     [("In two months, the league investigated 68 people", "Over two months, 68 people were investigated by the league"), ("more than 76,000 emails", "more than 76 thousand emails")]),
    ("mhr-a007", "When did MLB suspend the Astros GM and manager?",
     "MLB tried to curb the situation as best as it could. Luhnow's phone showed signs of deleted information. On Jan. 13, 2020, MLB suspended the disgraced GM and the skipper for the 2020 season. Owner Jim Crane fired both a few hours later.",
     [("On Jan. 13, 2020", "On Jan. 15, 2020")], ["Jan. 13, 2020", "Jan. 15, 2020"],
     [("On Jan. 13, 2020, MLB suspended the disgraced GM and the skipper", "MLB suspended the disgraced GM and the skipper on January 13, 2020,")]),
    ("mhr-a019", "When did Tim McGraw and Faith Hill meet?",
     "McGraw and Hill, both 56, met in 1994 but did not start dating until 1996. They got married later that year. The couple share three daughters.",
     [("met in 1994", "met in 1992")], ["1994", "1992"],
     [("McGraw and Hill, both 56, met in 1994", "The country stars McGraw and Hill first met in 1994")]),
    ("mhr-a019", "How many daughters do Tim McGraw and Faith Hill have?",
     "McGraw and Hill, both 56, met in 1994 but did not start dating until 1996. They got married later that year. The couple share three daughters: Gracie, Maggie and Audrey.",
     [("share three daughters", "share four daughters")], ["three daughters", "four daughters"],
     [("The couple share three daughters: Gracie, Maggie and Audrey.", "They have three daughters, Gracie, Maggie and Audrey, and a home in Nashville that cost $4 million.")]),
    ("mhr-a089", "How much did Ratcliffe pay for his stake in Manchester United?",
     "For paying an overpriced £1.3bn for his 25% stake, Ratcliffe obtains a major element of control, but the Glazers remain majority owners. The 71-year-old oversees football policy. Ratcliffe accepts Manchester United have an impressive revenue-based model.",
     [("£1.3bn", "£1.5bn")], ["£1.3bn", "£1.5bn"],
     [("For paying an overpriced £1.3bn for his 25% stake", "For his 25 per cent stake, which cost an overpriced £1.3 billion")]),
    ("mhr-a092", "How large was Everton's overspend?",
     "Sean Dyche said he was shocked by an independent commission's decision to impose the biggest sporting sanction in Premier League history for a £19.5m overspend in 2021-22. Dyche was ill while on holiday in Dubai when informed of the punishment. He described the deduction as disproportionate.",
     [("£19.5m overspend", "£17.5m overspend")], ["£19.5m", "£17.5m"],
     [("for a £19.5m overspend in 2021-22", "for overspending by £19.5 million in 2021-22")]),
    ("mhr-a012", "What was the score between Manchester United and Galatasaray?",
     "Erik ten Hag's side have once again dropped points from a winning position. They drew 3-3 with Galatasaray in the Champions League. It was a damaging result in their bid to reach the last 16.",
     [("drew 3-3 with Galatasaray", "drew 2-2 with Galatasaray")], ["3-3", "2-2"],
     [("They drew 3-3 with Galatasaray in the Champions League.", "The Champions League game with Galatasaray finished 3-3.")]),
    ("mhr-a142", "By what score did Liverpool beat Brentford?",
     "City are just a point clear of second-placed Liverpool. Liverpool beat Brentford 3-0, with Mohamed Salah continuing his remarkable Anfield scoring record. His two goals brought up his 200th in English football.",
     [("Liverpool beat Brentford 3-0", "Liverpool beat Brentford 2-0")], ["3-0", "2-0"],
     [("Liverpool beat Brentford 3-0, with Mohamed Salah continuing his remarkable Anfield scoring record.", "Mohamed Salah kept up his Anfield scoring record as Liverpool beat Brentford 3-0 in front of 53,000 fans.")]),
    ("mhr-a005", "By what score did UTSA lose to Tulane?",
     "UTSA has hit its stride over the second half of the season, before losing 29-16 to Tulane in its last outing. The Roadrunners scored at least 34 points in every win since Oct. 7. Everything starts with star QB Frank Harris.",
     [("losing 29-16 to Tulane", "losing 31-16 to Tulane")], ["29-16", "31-16"],
     [("before losing 29-16 to Tulane in its last outing", "before a 29-16 loss to Tulane in its latest game")]),
    ("mhr-a104", "How much is the M2 MacBook Air at B&H Photo?",
     "The M2-powered, 13-inch MacBook Air is on sale for $929 at B&H Photo. It is our top recommendation for a MacBook and beat out all brands in our laptop guide. The M2 chip is impressively fast and the display is lovely.",
     [("on sale for $929", "on sale for $899")], ["$929", "$899"],
     [("The M2-powered, 13-inch MacBook Air is on sale for $929 at B&H Photo.", "B&H Photo has the 13-inch M2 MacBook Air on sale at $929, down from $1,099.")]),
    ("mhr-a076", "How much revenue did The Epoch Times have in 2021?",
     "The Epoch Times now boasts to be the country's fourth-largest newspaper by subscriber count. The nonprofit has amassed a fortune, growing its revenue by a staggering 685% in two years, to $122 million in 2021, according to the group's most recent tax records. It is not audited by the major circulation collectors.",
     [("to $122 million in 2021", "to $142 million in 2021")], ["$122 million", "$142 million"],
     [("growing its revenue by a staggering 685% in two years, to $122 million in 2021", "its revenue grew 685 percent in two years to reach $122m in 2021")]),
    ("mhr-a073", "How much did Psagot lose in the first half of 2023?",
     "Psagot posted a loss of NIS 27 million for the first half of 2023, which is largely attributed to its non-bank credit business. About six weeks ago, Psagot sold control of its main holding in this area, AppliCheck, to its founder. It now holds 20% of that company.",
     [("a loss of NIS 27 million", "a loss of NIS 37 million")], ["NIS 27 million", "NIS 37 million"],
     [("Psagot posted a loss of NIS 27 million for the first half of 2023", "In the first half of 2023, Psagot lost NIS 27m")]),
    ("mhr-a151", "When will England and the Netherlands meet?",
     "Belgium eventually clung on for victory, which put them second in the group ahead of England. They are two points behind the Netherlands. Their two rivals are set to meet on 1 December in a blockbuster showdown.",
     [("meet on 1 December", "meet on 5 December")], ["1 December", "5 December"],
     [("Their two rivals are set to meet on 1 December in a blockbuster showdown.", "England and the Netherlands meet on December 1 in a blockbuster showdown.")]),
    ("mhr-a058", "How many explosive runs did Stevenson have in 2022?",
     "Stevenson has one explosive carry of 12 or more yards this season. It was against Miami. This is a big change from 2022, when he had 21 explosive runs and an explosive run rate of 10%, which was eighth-best.",
     [("he had 21 explosive runs", "he had 17 explosive runs")], ["21 explosive runs", "17 explosive runs"],
     [("This is a big change from 2022, when he had 21 explosive runs", "In 2022, by contrast, he had 21 explosive runs")]),
    ("mhr-a212", "How much did HYBE America pay for Quality Control?",
     "Partners of CMG have made their own headlines in the past 12 months. Quality Control was sold to the Scooter Braun-led HYBE America for $300 million in February. Elliot Grainge's 10K Projects was 51%-acquired by Warner Music Group in September.",
     [("for $300 million in February", "for $350 million in February")], ["$300 million", "$350 million"],
     [("Quality Control was sold to the Scooter Braun-led HYBE America for $300 million in February.", "HYBE America, led by Scooter Braun, bought Quality Control for $0.3 billion in February.")]),
    ("mhr-a191", "What share of manufacturers have implemented digital twin strategies?",
     "29% of global manufacturing companies have either fully or partially implemented their digital twin strategies. Further, job posts related to digital twins have increased by 11% compared to October 2021. Openings for other tech topics have declined in the same timeframe.",
     [("29% of global manufacturing companies", "39% of global manufacturing companies")], ["29%", "39%"],
     [("29% of global manufacturing companies have either fully or partially implemented their digital twin strategies.", "Some 29 percent of global manufacturing companies have fully or partially implemented digital twin strategies, a survey of 2,000 firms found.")]),
]  # fmt: skip


def main() -> None:
    corpus = {}
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        corpus[row["id"]] = row
    cases = []
    for i, (cid, question, text, c_edits, expected, a_edits) in enumerate(BASES):
        row = corpus[cid]
        for conflict, edits in ((True, c_edits), (False, a_edits)):
            edited = text
            for old, new in edits:
                assert old in edited, (cid, old)
                edited = edited.replace(old, new, 1)
            day = date.fromisoformat(row["published_at"][:10])
            n = len(cases)
            outlet = OUTLETS[n % len(OUTLETS)]
            first = {
                "id": f"{cid}-{n:03d}a",
                "title": row["title"],
                "source": row["source"],
                "published_at": row["published_at"],
                "body": text,
            }
            second = {
                "id": f"{cid}-{n:03d}b",
                "title": f"{row['title']} ({outlet})",
                "source": outlet,
                "published_at": f"{day + timedelta(days=1 + i % 2)}T09:00:00+00:00",
                "body": edited,
            }
            cases.append(
                {
                    "id": f"case-{n:03d}",
                    "kind": "conflict" if conflict else "agreement",
                    "question": question,
                    "articles": [first, second],
                    "conflict": conflict,
                    "values": expected if conflict else [],
                    "based_on": cid,
                }
            )
    out = HERE / "cases.jsonl"
    out.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), "utf-8")
    print(len(cases), "cases ->", out)


if __name__ == "__main__":
    main()
