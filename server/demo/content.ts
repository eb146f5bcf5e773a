/**
 * A sample briefing written for this project: a flood in a made-up town, so nothing in it
 * is anyone's real news. Used by `npm run demo` and by the screenshot script.
 */
import type { CreateEntryInput } from '../../shared/schemas';

export const DEMO_SLUG = 'river-aldwyn-floods';

/** A demo briefing: its metadata, its entries oldest first, and one correction to the newest. */
export interface DemoBriefing {
  briefing: { slug: string; title: string; summary: string; locale: string; timeZone: string };
  /** `minutesAgo` is when each was published. */
  entries: (CreateEntryInput & { minutesAgo: number })[];
  /** Applied to the newest entry two minutes ago, so readers see what "Updated HH:mm" looks like. */
  correction: { from: string; to: string; note: string };
}

export const DEMO_BRIEFING = {
  slug: DEMO_SLUG,
  title: 'River Aldwyn floods: Kestrel Bridge evacuates low-lying streets as water keeps rising',
  summary: [
    '- The River Aldwyn is **1.9 m above** its normal level at Kestrel Bridge and still rising; the peak is expected around 22:00.',
    '- About **340 homes** on the east bank have been asked to leave; a rest centre is open at the Corn Exchange.',
    '- The Old Bridge and the Mill Lane crossing are **closed**; trains between Kestrel Bridge and Harwood are replaced by buses.',
    '- No injuries have been reported. Call 0300 555 0100 (a demo number) for the council flood line.',
  ].join('\n'),
  locale: 'en-GB',
  timeZone: 'Europe/London',
};

const DEMO_ENTRIES: DemoBriefing['entries'] = [
  {
    minutesAgo: 190,
    title: 'Flood warning raised for the Aldwyn at Kestrel Bridge',
    body: 'The regional river authority has raised a **severe flood warning** for the Aldwyn after two days of heavy rain on the hills upstream. Gauges at Weir Pool rose 40 cm in the last three hours.',
    keyEvent: true,
    sources: 'With reporting by our Kestrel Bridge correspondent',
  },
  {
    minutesAgo: 172,
    body: 'Sandbags are being handed out at the fire station on Tanner Street until 20:00. Volunteers say the queue is about half an hour long; bring your own car if you can, each household may take ten bags.',
  },
  {
    minutesAgo: 151,
    title: 'Old Bridge closed to traffic',
    body: 'Police have closed the Old Bridge in both directions as water reaches the underside of the arches. Diversions run via the ring road, and drivers are asked to avoid the town centre altogether.',
    keyEvent: true,
    media: [
      {
        kind: 'image',
        url: '{origin}/assets/demo/river-map.svg',
        alt: 'Sketch map showing the River Aldwyn through Kestrel Bridge, with the Old Bridge and the Mill Lane crossing marked as closed',
        caption: 'The two crossings closed this afternoon.',
        credit: 'Graphic: livebrief demo',
      },
    ],
  },
  {
    minutesAgo: 128,
    body: '"We have lived here 30 years and never seen it this close to the door," says Maren Holt, who runs the bakery on Quay Row. She has moved her ovens\' control boards upstairs and is closing early.',
  },
  {
    minutesAgo: 104,
    title: 'Evacuation advised for 340 homes on the east bank',
    body: 'The council is asking residents of Quay Row, Ferry Lane and the lower part of Mill Lane to **leave their homes by 18:00**. A rest centre with hot food and camp beds is open at the Corn Exchange.',
    keyEvent: true,
    links: [{ title: 'Council: flood help and rest centres (demo link)', url: 'https://example.org/flood-help' }],
  },
  {
    minutesAgo: 83,
    body: 'Rail services between Kestrel Bridge and Harwood are suspended because the line near Weir Pool is under water. Replacement buses leave from the station forecourt every 30 minutes.',
    sources: 'With reporting by our transport desk',
  },
  {
    minutesAgo: 61,
    body: 'The latest gauge reading at the Old Bridge is **1.9 m above normal**, up 25 cm in an hour. Forecasters expect the river to peak between 21:00 and 23:00 before falling slowly overnight.',
    keyEvent: true,
  },
  {
    minutesAgo: 38,
    body: "Kestrel Bridge Primary and St Anne's will be closed tomorrow. Parents will get messages this evening about remote lessons.",
  },
  {
    minutesAgo: 17,
    title: 'What to do if water enters your home',
    body: [
      "The fire service's advice, in short:",
      '',
      '1. Turn off gas and electricity at the mains if it is safe to do so.',
      '2. Move people, pets and medicines upstairs.',
      '3. Do not walk or drive through flood water: 30 cm of flowing water can move a car.',
    ].join('\n'),
    pinned: true,
  },
  {
    minutesAgo: 6,
    body: 'Rescue crews in two boats have helped a dozen residents from Ferry Lane who had stayed behind. Everyone is safe and has been taken to the Corn Exchange.',
    sources: 'With reporting by Priya Nand',
  },
];

export const ENGLISH_DEMO: DemoBriefing = {
  briefing: DEMO_BRIEFING,
  entries: DEMO_ENTRIES,
  correction: { from: 'two boats', to: 'three boats', note: '_Corrected: an earlier version said two boats; it was three._' },
};

/** What the demo keeps publishing, one every few seconds, in turn. */
export const DEMO_UPDATES: CreateEntryInput[] = [
  {
    body: 'The level at the Old Bridge is holding steady for the first time this evening, gauges show. It is too early to say the river has peaked.',
  },
  {
    body: 'A second rest centre has opened at the Leisure Centre on Harwood Road, as the Corn Exchange fills up. Pets are welcome at both.',
  },
  {
    title: 'Power cut on the east bank',
    body: 'About 600 homes east of the river are without power after the grid operator switched off a substation at risk of flooding.',
    keyEvent: true,
  },
  {
    body: 'Volunteers from the rowing club are helping the crews check every house on Quay Row. They ask anyone still at home to put a light in an upstairs window.',
  },
  { body: 'The ring road is now very busy in both directions; police suggest travelling only if you must.' },
  { body: 'Forecasters say rain upstream has eased, which should mean the river falls faster tomorrow than first thought.' },
];

/** Corrections the demo applies to recent entries. */
export const DEMO_CORRECTIONS = [
  'This update has been corrected: an earlier version gave the wrong street name.',
  'Updated with the latest figures from the council.',
];
