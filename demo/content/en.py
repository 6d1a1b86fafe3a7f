"""English texts for the dailywire demo site (see demo.content.ru for how the parts combine)."""

from demo.content import Story

SECTIONS = {
    "world": "World",
    "business": "Business",
    "politics": "Politics",
    "tech": "Technology",
    "sport": "Sport",
    "culture": "Culture",
    "weather": "Weather",
}

AUTHORS = ["Jane Doe", "John Smith", "Priya Raman", "Michael O'Connor", "Emma Clarke", "David Kim"]

CITIES = ["in London", "in Manchester", "in Leeds", "in Glasgow", "in Bristol", "in Cardiff"]

EXPERTS = [
    ("economist Sarah Mitchell", "said"),
    ("political analyst Tom Hughes", "noted"),
    ("Professor Alan Reid of King's College London", "said"),
    ("defence analyst Laura Bennett", "told reporters"),
    ("industry consultant Raj Patel", "added"),
]

TAGS = {
    "world": ["Ukraine", "European Union", "NATO"],
    "business": ["Bank of England", "inflation", "energy prices"],
    "politics": ["Parliament", "elections", "Downing Street"],
    "tech": ["artificial intelligence", "drones", "cybersecurity"],
    "sport": ["football", "Premier League", "tennis"],
    "culture": ["film", "theatre", "books"],
    "weather": ["storms", "Met Office", "floods"],
}

STORIES = [
    Story(
        "world",
        "Ukraine says air defences downed 18 drones overnight",
        "Ukraine's air force said it shot down 18 of 23 attack drones launched overnight.",
        [
            "Debris from the drones damaged a warehouse and several homes in the Kyiv region, "
            "officials said, but no casualties were reported.",
            "The attack was the latest in a series of overnight drone raids targeting energy "
            "infrastructure ahead of winter.",
        ],
    ),
    Story(
        "business",
        "Bank of England holds interest rates at 5.25%",
        "The Bank of England kept interest rates unchanged for a third meeting in a row.",
        [
            "Six members of the Monetary Policy Committee voted to hold, while three backed a "
            "further quarter-point rise.",
            "Governor Andrew Bailey warned that it was too early to talk about cutting rates.",
        ],
    ),
    Story(
        "weather",
        "Storm brings 80mph winds and travel disruption to northern England",
        "A named storm swept across northern England, bringing down trees and power lines.",
        [
            "More than 30,000 homes were left without electricity on Thursday morning.",
            "Rail operators cancelled dozens of services between Leeds and Newcastle.",
        ],
    ),
    Story(
        "tech",
        "Retailers test delivery drones in rural Scotland",
        "Two supermarket chains have begun trials of delivery drones in the Highlands.",
        [
            "The drones can carry parcels of up to four kilograms over a range of 20 miles.",
            "Regulators will review the trial's safety data before allowing wider use.",
        ],
    ),
    Story(
        "politics",
        "MPs back new online safety rules after marathon debate",
        "The Commons approved a package of amendments to online safety rules.",
        [
            "The changes require platforms to publish annual reports on harmful content.",
            "Several backbenchers warned the rules could threaten end-to-end encryption.",
        ],
    ),
    Story(
        "sport",
        "Arsenal go top of the Premier League with late winner",
        "A stoppage-time header sent Arsenal to the top of the table.",
        [
            "The winning goal came in the 94th minute after a corner that was nearly cleared.",
            "The manager praised his side's resilience after a difficult first half.",
        ],
    ),
    Story(
        "culture",
        "National Gallery unveils restored Renaissance altarpiece",
        "A 15th-century altarpiece returns to public view after a four-year restoration.",
        [
            "Conservators removed layers of varnish that had darkened the painting for centuries.",
            "The gallery expects the display to draw record winter attendance.",
        ],
    ),
    Story(
        "business",
        "UK inflation falls to lowest level in two years",
        "Consumer price inflation fell to 4.6% in October, down from 6.7% in September.",
        [
            "Lower household energy bills were the main driver of the drop, statisticians said.",
            "Food prices are still rising, though at a slower pace than earlier in the year.",
        ],
    ),
    Story(
        "world",
        "EU leaders agree to open membership talks with Ukraine",
        "European Union leaders agreed to begin accession negotiations with Ukraine and Moldova.",
        [
            "The decision was taken while Hungary's prime minister left the room.",
            "Ukraine's president called the decision a victory for all of Europe.",
        ],
    ),
    Story(
        "tech",
        "Chipmaker announces new factory in Wales",
        "A semiconductor company plans to build a factory near Newport.",
        [
            "The plant is expected to create 400 jobs by 2026.",
            "The government will contribute to the cost through a regional investment fund.",
        ],
    ),
    Story(
        "weather",
        "Flood warnings issued as heavy rain hits south-west",
        "The Environment Agency issued more than 40 flood warnings across Devon and Cornwall.",
        [
            "Some areas received a month's rainfall in 24 hours.",
            "Residents near rivers were advised to move valuables upstairs.",
        ],
    ),
    Story(
        "politics",
        "Government unveils plan to cut hospital waiting lists",
        "Ministers announced extra funding for diagnostic centres in England.",
        [
            "The plan includes 20 new community diagnostic hubs by next summer.",
            "Unions said staffing shortages would limit the impact of the funding.",
        ],
    ),
    Story(
        "sport",
        "British tennis number one reaches year-end finals",
        "The British number one qualified for the season-ending finals in Turin.",
        [
            "A win in Vienna secured the final qualifying place.",
            "It is the first time a British man has qualified since 2016.",
        ],
    ),
    Story(
        "culture",
        "West End musical breaks box office record",
        "A revival of a classic musical took more than 1.2 million pounds in its first week.",
        [
            "The producers have already extended the run until September.",
            "Critics praised the lead performance and the redesigned staging.",
        ],
    ),
    Story(
        "business",
        "Energy price cap to rise by 5% in January",
        "The regulator announced a rise in the energy price cap for the first quarter.",
        [
            "A typical household will pay about 1,928 pounds a year from January.",
            "Charities warned that many families are still struggling with energy debts.",
        ],
    ),
    Story(
        "world",
        "Poland and Ukraine reach deal on border crossing for empty lorries",
        "Polish and Ukrainian officials agreed to open a separate lane for empty lorries.",
        [
            "Protesting Polish hauliers have blocked several crossings for weeks.",
            "Ukrainian drivers said they had waited up to ten days at the border.",
        ],
    ),
    Story(
        "tech",
        "AI safety summit ends with joint declaration",
        "Delegates from 28 countries signed a declaration on the risks of frontier AI.",
        [
            "The declaration commits governments to share research on model testing.",
            "Critics said the agreement lacked binding commitments.",
        ],
    ),
    Story(
        "sport",
        "England name squad for Six Nations opener",
        "The England head coach named five uncapped players in his squad.",
        [
            "The squad will gather for a training camp in Girona in January.",
            "The captaincy will be decided after the camp, the coach said.",
        ],
    ),
    Story(
        "politics",
        "Scottish budget raises income tax for higher earners",
        "The Scottish government announced a new tax band for incomes above 75,000 pounds.",
        [
            "Ministers said the change would raise 82 million pounds for public services.",
            "Opposition parties said the plan would drive skilled workers away.",
        ],
    ),
    Story(
        "culture",
        "Booker Prize goes to Irish novelist",
        "An Irish writer won the Booker Prize for a novel about a family in crisis.",
        [
            "The judges called the book a triumph of emotional storytelling.",
            "Sales of the novel rose fivefold in the days after the announcement.",
        ],
    ),
    Story(
        "weather",
        "Snow and ice warnings cover much of Scotland",
        "The Met Office warned of snow and ice across Scotland for the next three days.",
        [
            "Up to 15cm of snow could fall on higher ground.",
            "Schools in the Highlands closed early on Tuesday.",
        ],
    ),
    Story(
        "world",
        "NATO to boost patrols in the Baltic Sea",
        "NATO will send additional ships and patrol aircraft to the Baltic Sea.",
        [
            "The decision follows damage to an undersea gas pipeline between Finland and Estonia.",
            "Maritime drones will also be used to monitor cables on the seabed.",
        ],
    ),
    Story(
        "business",
        "High street footfall rises ahead of Christmas",
        "Retailers reported a rise in shoppers in the first week of December.",
        [
            "Footfall was 3% higher than a year earlier, according to industry figures.",
            "Online sales fell slightly as more people returned to city centres.",
        ],
    ),
    Story(
        "tech",
        "Mobile operators switch off 3G networks",
        "Two of the largest mobile operators have begun switching off 3G.",
        [
            "Customers with older handsets are being offered free replacements.",
            "The freed-up spectrum will be used to expand 4G and 5G coverage.",
        ],
    ),
    Story(
        "sport",
        "Darts world championship begins at Alexandra Palace",
        "The darts world championship opened in London with a record 96 players.",
        [
            "The defending champion begins his campaign on Saturday.",
            "Prize money has doubled since 2019 to 2.5 million pounds.",
        ],
    ),
]

POOLS = {
    "world": [
        "The move was welcomed by {expert}, who {said} it was a sign of unity among allies.",
        "Foreign ministers discussed the situation at a meeting in Brussels.",
        "Officials said talks would continue at expert level in the coming weeks.",
        "At least {n} governments have taken similar steps this year.",
        "Local media reported that the negotiations took place behind closed doors.",
        "Analysts say the issue will feature heavily in next year's election campaigns.",
        "The embassy urged citizens in the region to follow official advice.",
        "A final decision is expected at a summit at the end of the month.",
    ],
    "business": [
        "The figures were described as encouraging by {expert}, who {said} risks remained.",
        "Businesses {city} have complained about rising costs and staff shortages.",
        "Analysts expect the figure to rise by a further {pct}% next quarter.",
        "Mortgage lenders have begun trimming rates in recent weeks.",
        "Small firms borrowed about {n} million pounds more than a year earlier.",
        "The Treasury said it would publish updated forecasts in the spring.",
        "Shares in housebuilders rose after the announcement.",
        "Consumer confidence remains weak despite the improvement.",
    ],
    "politics": [
        "The vote was described as a turning point by {expert}, who {said} more work was needed.",
        "The bill cleared its committee stage earlier this month.",
        "A poll conducted {city} found that {pct}% of voters supported the change.",
        "Ministers must publish guidance within three months of the law taking effect.",
        "Opposition MPs said they would table amendments in the Lords.",
        "The government has promised a consultation on the details.",
        "Parliament has {n} sitting days left before the Christmas recess.",
        "A similar proposal was dropped last year after a backbench rebellion.",
    ],
    "tech": [
        "The technology is promising, according to {expert}, who {said} the market was young.",
        "Users {city} will be the first to get access to the new feature.",
        "The company says more than {n} thousand people already use the service.",
        "The developers promised to fix reported bugs in the next update.",
        "Security experts recommend enabling two-factor authentication.",
        "Testing will continue until the end of winter.",
        "Rivals have yet to announce comparable products.",
        "The project is estimated to cost several million pounds.",
    ],
    "sport": [
        "The performance was praised by {expert}, who {said} the defence was disciplined.",
        "A crowd of about {n} thousand watched the match.",
        "The manager thanked supporters for their backing.",
        "The team plays again in four days.",
        "Pundits called it one of the best results in the club's history.",
        "The injured captain is expected to miss several more weeks.",
        "The result lifts the side {n} places in the table.",
        "Ticket sales for the next fixture have already sold out.",
    ],
    "culture": [
        "The event was hailed by {expert}, who {said} it was important for the sector.",
        "Organisers expect more than {n} thousand visitors.",
        "Entry is free for under-18s and students.",
        "Part of the programme will take place {city}.",
        "Critics have already called it one of the highlights of the season.",
        "The project received support from Arts Council England.",
        "Tickets are available online and at the box office.",
        "The exhibition will tour regional museums next year.",
    ],
    "weather": [
        "The conditions were unusual, according to {expert}, who {said} people should prepare.",
        "Councils {city} have gritting teams on standby.",
        "The Met Office urged people to check forecasts before travelling.",
        "Temperatures could fall to minus {n} degrees overnight.",
        "Some schools may move lessons online if conditions worsen.",
        "Drivers were advised to allow extra time for journeys.",
        "Power companies said engineers were working to restore supplies.",
        "More unsettled weather is expected next week.",
    ],
}

GENERIC = [
    "Further details are expected later this week.",
    "Officials declined to comment on the reports.",
    "We will continue to follow developments.",
    "A spokesperson said the decision followed consultation with experts.",
    "Experts warn that the full impact will not be clear for several months.",
    "A similar situation arose last year, but a decision was postponed.",
    "Participants described the discussions as difficult but constructive.",
    "Final figures will be published at the end of the month.",
    "Campaigners have called for more transparency in the process.",
    "The announcement came after weeks of speculation.",
]

QUOTES = [
    "We understand what people expect, and we will do everything we can not to let them down.",
    "This decision was long overdue and could not be delayed any further.",
    "The situation remains difficult, but we have a plan for every scenario.",
    "What matters now is keeping the trust of the public and our partners.",
]

SUBHEADS = {
    "world": ["How allies reacted", "What happens next"],
    "business": ["What analysts say", "The outlook"],
    "politics": ["What changes", "The opposition's view"],
    "tech": ["How it works", "What comes next"],
    "sport": ["How the match unfolded", "What comes next"],
    "culture": ["The programme", "How to get tickets"],
    "weather": ["The forecast", "Advice for households"],
}

LISTS = {
    "world": ["Poland", "Hungary", "Slovakia"],
    "business": ["Bank Rate: 5.25%", "CPI inflation: 4.6%", "Unemployment: 4.2%"],
    "politics": ["annual transparency reports", "age checks", "new fines for platforms"],
    "tech": ["iPhone 12 and later", "Pixel 6 and later", "Galaxy S21 and later"],
    "sport": ["Arsenal: 36 points", "Liverpool: 34 points", "Aston Villa: 32 points"],
    "culture": ["Friday: opening night", "Saturday: family matinee"],
    "weather": ["keep a torch at hand", "charge phones", "check on elderly neighbours"],
}

READ_ALSO = "Related:"
