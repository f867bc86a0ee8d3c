/**
 * How a message enters a campaign: one of our links (its reference), the
 * text a WhatsApp click-to-chat link pre-fills, or a keyword. Accents and
 * case never matter; a keyword counts when it is the message or starts a
 * short one ("Soldes !", "SOLDES svp"), not anywhere in a sentence.
 */
import type { CampaignEntry, Channel } from '@passerelle/core';
import { normalise } from '../text.js';
import { acceptsChannel, type Campaign, windowState } from './campaign-file.js';

/** Words a person may add after a keyword and still mean only the keyword. */
const KEYWORD_SLACK = 3;

export interface CampaignMatch {
  campaign: Campaign;
  how: Extract<CampaignEntry, 'keyword' | 'link' | 'prefilled'>;
}

/** A campaign with its entry words normalised once, not at every message. */
interface Entries {
  campaign: Campaign;
  keywords: string[];
  prefilled: string[];
}

export class CampaignEntries {
  private readonly entries: Entries[];

  constructor(campaigns: Iterable<Campaign>) {
    this.entries = [...campaigns].map((campaign) => ({
      campaign,
      keywords: campaign.entry.keywords.map(normalise),
      prefilled: campaign.entry.prefilled.map(normalise),
    }));
  }

  match(input: { text: string; ref?: string | undefined; channel: Channel; now: Date }): CampaignMatch | undefined {
    const candidates = this.entries.filter(({ campaign }) => acceptsChannel(campaign, input.channel));
    const words = normalise(input.text);
    const found: CampaignMatch[] = [];
    const ref = input.ref;
    if (ref) {
      for (const { campaign } of candidates)
        if (campaign.entry.links.includes(ref)) found.push({ campaign, how: 'link' });
    }
    if (found.length === 0 && words) {
      for (const { campaign, prefilled } of candidates) {
        if (prefilled.some((text) => startsWithPhrase(words, text, Number.POSITIVE_INFINITY)))
          found.push({ campaign, how: 'prefilled' });
      }
    }
    if (found.length === 0 && words) {
      for (const { campaign, keywords } of candidates) {
        if (keywords.some((keyword) => startsWithPhrase(words, keyword, KEYWORD_SLACK)))
          found.push({ campaign, how: 'keyword' });
      }
    }
    return found.sort((a, b) => precedence(a.campaign, input.now) - precedence(b.campaign, input.now))[0];
  }
}

function startsWithPhrase(words: string, phrase: string, slack: number): boolean {
  if (!phrase) return false;
  if (words === phrase) return true;
  if (!words.startsWith(`${phrase} `)) return false;
  return words.split(' ').length - phrase.split(' ').length <= slack;
}

/**
 * Last year's campaign file may still be in the folder with the same keyword:
 * the open one wins, then the next to open, then the one that ended last.
 */
function precedence(campaign: Campaign, now: Date): number {
  const state = windowState(campaign, now);
  if (state === 'open') return 0;
  if (state === 'before') return 1 + (campaign.opensAt.getTime() - now.getTime()) / 1e15;
  return 2 + (now.getTime() - campaign.closesAt.getTime()) / 1e15;
}
