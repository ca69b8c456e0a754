import { Router } from 'express';
import { searchQuerySchema } from '@repo/schemas';
import { actorOf, requireSignedIn } from '../../http/auth';
import { noStore } from '../../http/no-store';
import { parseQuery } from '../../http/validate';
import type { SearchService } from './search.service';

export function searchRoutes({ search }: { search: SearchService }): Router {
  const router = Router();

  // What was searched for can be a customer's device or a pasted key: never kept by a cache.
  router.get('/search', requireSignedIn, noStore, async (req, res) => {
    const { q } = parseQuery(searchQuerySchema, req);
    res.json(await search.search(actorOf(req), q));
  });

  return router;
}
